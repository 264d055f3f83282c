"""Complaints (监督一点通): categories and lanes, routing as data, filing, the case state machine and
who may see what. Plain modules: HTTP views, CLI commands and RQ jobs all call these."""
