"""The warehouse side of entity resolution: candidate lookup by blocking key, and the per-entity
totals (`aliases`, `mention_count`, `article_count`, `last_seen`) kept up to date on each load."""

from __future__ import annotations

import pyarrow as pa


def warehouse_lookup(con):
    """A `known(block_keys)` function for tasks.canonical: the stored aliases of those blocks only."""

    def known(blocks: list[str]) -> list[dict]:
        if not blocks:
            return []
        con.register("lookup_blocks", pa.table({"block_key": pa.array(blocks, pa.string())}))
        try:
            return con.sql(
                "select a.block_key, a.alias_key, a.entity_id, e.name, e.label "
                "from entity_aliases a join lookup_blocks using (block_key) "
                "join entities e using (entity_id) order by a.entity_id, a.alias_key"
            ).to_arrow_table().to_pylist()
        finally:
            con.unregister("lookup_blocks")

    return known


def refresh(con, batch: dict[str, pa.Table]) -> None:
    """Recomputes the totals of the entities the batch touched (and applies renames), inside the
    load transaction; cost grows with the batch, not with the warehouse."""
    ids_ = set()
    for table in ("entities", "mentions"):
        if table in batch and batch[table].num_rows:
            ids_.update(batch[table].column("entity_id").to_pylist())
    if not ids_:
        return
    con.register("touched", pa.table({"entity_id": pa.array(sorted(ids_), pa.string())}))
    try:
        if "entities" in batch and batch["entities"].num_rows:
            con.register("renamed", batch["entities"].select(["entity_id", "name"]))
            con.execute("update entities set name = r.name from renamed r "
                        "where entities.entity_id = r.entity_id and entities.name <> r.name").fetchall()
            con.unregister("renamed")
        con.execute("""
            update entities set aliases = s.aliases, mention_count = s.mention_count,
                   article_count = s.article_count, last_seen = s.last_seen
            from (
                select m.entity_id,
                       list(distinct m.text order by m.text) as aliases,
                       count(*) as mention_count,
                       count(distinct m.article_id) as article_count,
                       max(a.ingested_at) as last_seen
                from mentions m
                join touched t using (entity_id)
                join articles a using (article_id)
                group by m.entity_id
            ) s
            where entities.entity_id = s.entity_id
        """).fetchall()
    finally:
        con.unregister("touched")
