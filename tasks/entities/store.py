"""The warehouse side of entity resolution: candidate lookup by blocking key, and the per-entity
totals (`aliases`, `mention_count`, `article_count`, `last_seen`) kept up to date on each load."""

from __future__ import annotations

import pyarrow as pa


def warehouse_lookup(con):
    """A `known(block_keys)` function for tasks.entities.canonical: the stored aliases of those blocks only."""

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


def _ids_with_alias_key(con, keys: set[str]) -> dict[str, set[str]]:
    if not keys:
        return {}
    con.register("override_keys", pa.table({"alias_key": pa.array(sorted(keys), pa.string())}))
    try:
        rows = con.execute("select alias_key, entity_id from entity_aliases "
                           "join override_keys using (alias_key)").fetchall()
    finally:
        con.unregister("override_keys")
    found: dict[str, set[str]] = {}
    for key, eid in rows:
        found.setdefault(key, set()).add(eid)
    return found


def apply_overrides(con, rules) -> dict[str, int]:
    """Applies curated merges, renames and drops to what is already stored (new batches get them in
    tasks/entities/canonical.py). Mentions keep their ids and offsets; only the entity they point at changes.
    Returns counts of changed rows. Runs inside the caller's transaction."""
    from tasks.entities.names import name_key

    keys = set(rules.merge) | set(rules.merge.values()) | set(rules.rename) | set(rules.drop)
    stored = _ids_with_alias_key(con, keys)
    changed = {"mentions_moved": 0, "mentions_dropped": 0, "renamed": 0}
    touched: set[str] = set()

    def mentions_of(eids, wanted):
        rows = con.execute("select mention_id, entity_id, text, label from mentions "
                           "where list_contains(?, entity_id)", [sorted(eids)]).fetchall()
        return [r for r in rows if wanted(r)]

    for src, dst in sorted(rules.merge.items()):
        targets = sorted(stored.get(dst, ()))
        sources = stored.get(src, set()) - set(targets)
        if not targets or not sources:
            continue
        move = mentions_of(sources, lambda r: name_key(r[2], r[3]) == src)
        ids_ = [r[0] for r in move]
        if ids_:
            con.execute("update mentions set entity_id = ? where list_contains(?, mention_id)",
                        [targets[0], ids_]).fetchall()
            con.execute("update entity_aliases set entity_id = ? where list_contains(?, entity_id) "
                        "and alias_key = ?", [targets[0], sorted(sources), src]).fetchall()
            changed["mentions_moved"] += len(ids_)
            touched.update(sources | {targets[0]})
    for key in sorted(rules.drop):
        eids = stored.get(key, set())
        gone = [r[0] for r in mentions_of(eids, lambda r: name_key(r[2]) == key)] if eids else []
        if gone:
            con.execute("delete from mentions where list_contains(?, mention_id)", [gone]).fetchall()
            con.execute("delete from entity_aliases where list_contains(?, entity_id) and "
                        "alias_key = ?", [sorted(eids), key]).fetchall()
            changed["mentions_dropped"] += len(gone)
            touched.update(eids)
    for key, new_name in sorted(rules.rename.items()):
        eids = sorted(stored.get(key, ()))
        if eids:
            n = con.execute("select count(*) from entities where list_contains(?, entity_id) and name <> ?",
                            [eids, new_name]).fetchall()[0][0]
            con.execute("update entities set name = ? where list_contains(?, entity_id)",
                        [new_name, eids]).fetchall()
            changed["renamed"] += n
    if touched:
        refresh(con, {"mentions": pa.table({"entity_id": pa.array(sorted(touched), pa.string())})})
        # an entity left without mentions by a merge or drop is gone; its aliases went with it
        con.execute("delete from entities where list_contains(?, entity_id) and entity_id not in "
                    "(select entity_id from mentions)", [sorted(touched)]).fetchall()
    return changed
