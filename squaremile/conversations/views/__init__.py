"""Pages of conversations, one module per part: groups.py (directory, group page, members,
e-mail choice), threads.py (a thread, replying, facilitation, decisions), private.py (private
conversations, block and report), feeds.py (RSS/Atom of public groups)."""
