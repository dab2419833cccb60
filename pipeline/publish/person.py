"""One person who asked to be forgotten, as the warehouse links them: what erasure removes from every copy."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    # What was asked: an email, a social handle (with or without @) or a CRM contact id.
    request: str
    # Every identifier linked to the request, in clear and as the raw and staging layers hold them: emails (lower
    # case), handles (lower case, no @), CRM contact ids, source user ids (X user id, Zendesk user id), reviewer names.
    identifiers: frozenset[str] = field(default_factory=frozenset)
    # The keys the marts hold for the person: contact_key ('crm:003...'), actor_key ('x:20000139',
    # 'email:ann@example.com'), person_key, requester_id. Pseudonymised releases hold their keyed hashes.
    person_keys: frozenset[str] = field(default_factory=frozenset)
    # The person's messages: interaction_key / feedback_key / touchpoint_key values, and their conversations.
    interaction_keys: frozenset[str] = field(default_factory=frozenset)
    conversation_keys: frozenset[str] = field(default_factory=frozenset)
    # The bodies of the person's messages, as published in clear (restricted copy, hand-off) before redaction.
    texts: frozenset[str] = field(default_factory=frozenset)

    @property
    def values(self) -> frozenset[str]:
        """Every clear value that marks a row as the person's."""
        return self.identifiers | self.person_keys | self.interaction_keys
