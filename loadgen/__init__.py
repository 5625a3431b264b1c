"""Load generation: `qingquan simulate` places real SIP calls and works simulated agents (see simulate.py)."""
