"""Sankey nodes and links from episode channel paths."""

from __future__ import annotations

from reports.pages.paths import sankey_links


def test_sankey_links_count_episodes_per_step() -> None:
    labels, links = sankey_links(
        [
            ("bot > voice", True, 3),
            ("bot > voice", False, 1),
            ("voice", True, 5),
            ("chat > chat > email > voice > voice > voice", False, 2),
        ]
    )
    named = {(labels[s], labels[t]): v for s, t, v in links}
    assert named == {
        ("1. bot", "2. voice"): 4,
        ("2. voice", "resolved"): 3,
        ("2. voice", "not resolved"): 1,
        ("1. voice", "resolved"): 5,
        ("1. chat", "2. chat"): 2,
        ("2. chat", "3. email"): 2,
        ("3. email", "4. voice"): 2,
        ("4. voice", "5. …"): 2,  # cut after four contacts
        ("5. …", "not resolved"): 2,
    }
    assert len(labels) == len(set(labels))
