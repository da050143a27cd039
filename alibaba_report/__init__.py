"""Alibaba at the crossroads: the code behind the executable report.

Notebooks import from here; nothing in a notebook computes what a module can.
"""
