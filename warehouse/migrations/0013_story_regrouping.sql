-- Stories a restart rebuilds exactly, and whose recent members may move: the order articles were
-- committed in, and a log of the moves. Articles loaded before this migration have no story_seq:
-- stories read them first (by article_id), as the oldest members.
alter table articles add column if not exists story_seq bigint;  -- 1, 2, ... in commit order

create table if not exists story_moves (
    move_id       varchar primary key,   -- sha256("story_move", article_id, to_story_id, story_seq)
    article_id    varchar not null,
    from_story_id varchar,
    to_story_id   varchar not null,
    story_seq     bigint not null,       -- the first story_seq of the batch whose articles moved it
    run_id        varchar not null
);
