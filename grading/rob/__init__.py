"""Risk-of-bias tools as data and pure functions: Cochrane RoB 2, ROBINS-I, robvis-style SVGs.

Given signalling-question answers (Y / PY / PN / N / NI / NA), each tool proposes domain
judgements and an overall judgement. They are proposals: the reviewer decides, and may depart
from them with a reason. No Django imports.
"""
