"""The prize draw algorithm: small, pure and published, so that anyone can re-run it.

Before the draw the organiser publishes ``commitment = sha256(seed)`` (hex) of a secret seed
(64 hexadecimal characters). After the quiz closes the eligible entries are frozen, the winners
drawn and the seed revealed. To check a draw, anyone takes the published seed and entry ids:

1. ``sha256(seed.encode("utf-8")).hexdigest()`` must equal the published commitment;
2. sort the entry ids ascending (they are published sorted);
3. for round ``i = 0, 1, …, winners - 1``: ``h = int(sha256(f"{seed}:{i}").hexdigest(), 16)``,
   take the entry at position ``h % (number of entries left)`` of the remaining list, and remove
   it from the list;
4. the entries taken, in order, are the winners.

The organiser cannot choose the seed after seeing the entries (it is committed before), and
cannot choose the entries after seeing the seed (it is revealed only after they are frozen).
"""

import hashlib
import secrets


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def draw_winners(seed: str, entry_ids: list[int], count: int) -> list[int]:
    """The winners among ``entry_ids`` for ``seed``: deterministic, see the module docstring."""
    remaining = sorted(int(e) for e in entry_ids)
    winners = []
    for i in range(min(count, len(remaining))):
        digest = hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
        winners.append(remaining.pop(int(digest, 16) % len(remaining)))
    return winners


ALGORITHM_PYTHON = """import hashlib

def draw_winners(seed, entry_ids, count):
    remaining = sorted(int(e) for e in entry_ids)
    winners = []
    for i in range(min(count, len(remaining))):
        digest = hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
        winners.append(remaining.pop(int(digest, 16) % len(remaining)))
    return winners
"""
