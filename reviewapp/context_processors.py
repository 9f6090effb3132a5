from reviewapp.outages import current_outages


def outages(request) -> dict:
    """The services this process found unreachable lately: base.html shows leads a quiet
    banner (the site works on, background work waits)."""
    return {"outages": current_outages()}
