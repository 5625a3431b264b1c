"""The shared kernel: errors, clock, the in-process event bus and the database base that every
capability package builds on. It imports nothing of Qingquan's other packages."""
