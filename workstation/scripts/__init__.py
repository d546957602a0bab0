"""Approved reply scripts (话术): model, versions and approval, variable rendering, wording lint.
Pure Python: no framework imports."""
