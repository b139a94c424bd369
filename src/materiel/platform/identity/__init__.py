"""Who the user is: organisations, users, sessions, API tokens, OpenID Connect, rate limits.

What a signed-in user may see and do is decided elsewhere (platform/access);
this package only turns credentials into a `Principal`.
"""
