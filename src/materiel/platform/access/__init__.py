"""Need-to-know: which rows a principal sees and which changes they may make.

The rules themselves live in one place, `materiel/access_policy.py`; this
package applies them: as criteria on every ORM query of a session
(`sessions.py`), as a check on every audited change (`Policy.check_change`),
and on PostgreSQL as session settings that row-level security reads
(`row_security.py`).
"""
