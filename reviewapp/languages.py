"""Publication-language codes (ISO 639-1) accepted in a topic area's limits."""

from django.conf.locale import LANG_INFO

# Django's LANG_INFO knows the languages it has locales for; a review may limit to
# any language, so the full ISO 639-1 set is listed here. Norwegian appears both as
# the macrolanguage (no) and its two written standards (nb, nn).
ISO_639_1 = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
    """.split()
)


def unknown_language_codes(codes: list[str]) -> list[str]:
    return [code for code in codes if code.lower() not in ISO_639_1]


def language_name(code: str) -> str:
    info = LANG_INFO.get(code.lower())
    return info["name"] if info else code
