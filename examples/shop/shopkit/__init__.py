"""Building blocks shared by the shop's apps: HTTP types, a plugin registry and an audit log.

``audit`` is imported here, so ``shopkit.audit`` resolves as an attribute of this package.
"""

from shopkit import audit

__all__ = ["audit"]
