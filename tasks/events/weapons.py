"""PLOVER's ASSAULT mode from the weapon a sentence names (the manual's table "ASSAULT modes": drone =
unmanned aerial vehicles; aerial = aircraft, helicopters; heavy-weapons = artillery, rockets, tanks;
explosives = mines, IEDs, car bombs; firearms = rifles, pistols, machine guns)."""

from __future__ import annotations

MODES = {
    "drone": {"drone", "drones", "uav", "uavs"},
    "aerial": {"aircraft", "airstrike", "airstrikes", "helicopter", "helicopters", "warplane",
               "warplanes", "air strike", "air strikes", "air raid", "air raids"},
    "heavy-weapons": {"artillery", "rocket", "rockets", "tank", "tanks", "shell", "shells", "shelling",
                      "mortar", "mortars", "missile", "missiles"},
    "explosives": {"mine", "mines", "ied", "ieds", "car bomb", "bomb", "bombs", "explosive", "explosives",
                   "explosion", "explosions", "blast"},
    "firearms": {"rifle", "rifles", "pistol", "pistols", "gun", "guns", "gunfire", "machine gun", "sniper"},
}
_ORDER = ("drone", "aerial", "heavy-weapons", "explosives", "firearms")  # unmanned first: "drone strike"


def assault_mode(sent) -> str | None:
    """The most specific weapon mode the sentence names, or None."""
    words = [t.lower_ for t in sent]
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:])}
    present = set(words) | pairs
    for mode in _ORDER:
        if MODES[mode] & present:
            return mode
    return None
