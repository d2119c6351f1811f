"""Household changes (动态管理, maker–checker): typed requests entered by the village and applied only when
the township approves them.

- `models`: ChangeRequest (the request with its decision, kept for good) and ChangeRequestMember (the
  members a pending request holds: one pending request per member, held by the database);
- `transitions`: the state machine as data (pending → approved / rejected / withdrawn);
- `filing`: checks and filing of each kind; `applying`: what an approved request does to the registry;
- `deciding`: approve, reject, withdraw; `preview`: the before/after of a request;
- `forms`, `views`, `urls`, `selectors`, `demo`.
"""
