"""Writes of conversations, one module per part; everything is re-exported here:
`from squaremile.conversations import services; services.thread_start(...)`."""

from squaremile.conversations.services.decisions import decision_close, decision_open, vote_cast
from squaremile.conversations.services.groups import (
    email_mode_set,
    facilitator_add,
    group_create,
    group_invite,
    group_join,
    group_leave,
    group_update,
    join_request_decide,
)
from squaremile.conversations.services.private import (
    block,
    message_send,
    private_conversation_start,
    private_read,
    unblock,
)
from squaremile.conversations.services.threads import (
    answer_mark,
    plus_one_toggle,
    post_edit,
    post_publish_held,
    read_mark_set,
    reply_post,
    thread_close,
    thread_lock,
    thread_merge,
    thread_move,
    thread_pin,
    thread_slow,
    thread_split,
    thread_start,
)

__all__ = [
    "answer_mark", "block", "decision_close", "decision_open", "email_mode_set", "facilitator_add",
    "group_create", "group_invite", "group_join", "group_leave", "group_update", "join_request_decide",
    "message_send", "plus_one_toggle", "post_edit", "post_publish_held", "private_conversation_start",
    "private_read", "read_mark_set", "reply_post", "thread_close", "thread_lock", "thread_merge", "thread_move",
    "thread_pin", "thread_slow", "thread_split", "thread_start", "unblock", "vote_cast",
]  # fmt: skip
