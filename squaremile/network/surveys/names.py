"""Name resolution: what respondents type ("Kettleby Food Bank", "jane smith") becomes a node of the
survey's network.

* `normalise(text)` is the match key: lower case, accents folded, punctuation and filler words such
  as "the" or "Ltd" removed. Two names with the same key are the same node.
* `resolve_name(survey, typed)` finds the node for a typed name: an existing node of the survey with
  the same key, else a directory organisation with that name (every organisation in the directory is
  public by name, even when its contact details are hidden), else a new "named" node. Near misses
  (rapidfuzz) never merge by themselves: they become `MergeSuggestion`s for the organiser.
* `node_merge(...)` merges two nodes after the organiser's review: ties move, responses stay (the
  merged node points at the kept one and the graph folds it in), atomically.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz, process

from squaremile.audit import services as audit
from squaremile.core.permissions import require
from squaremile.network.computing import tasks
from squaremile.network.models import MergeSuggestion, Node, NodeKind, Survey, Tie

# Words that do not tell two names apart.
FILLER_WORDS = frozenset(
    {"the", "ltd", "limited", "plc", "llp", "inc", "cic", "cio", "co", "and", "of", "uk", "mr", "mrs", "ms", "dr"}
)
FUZZY_CUTOFF = 85.0
MAX_LABEL = 200

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)


def normalise(text: str) -> str:
    """The match key of a name: "The Kettleby Café Ltd." -> "kettleby cafe"."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKD", str(text).replace("&", " and "))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = _PUNCT.sub(" ", folded.replace("'", "").replace("’", "")).replace("_", " ")
    words = folded.split()
    kept = [w for w in words if w not in FILLER_WORDS]
    return " ".join(kept or words)[:MAX_LABEL]


def clean_label(text: str) -> str:
    return " ".join(str(text or "").split())[:MAX_LABEL]


def root_of(node: Node) -> Node:
    """The node a (possibly merged) node now stands for."""
    seen = set()
    while node.merged_into_id and node.pk not in seen:
        seen.add(node.pk)
        node = node.merged_into
    return node


def _data_changed(rounds) -> None:
    for round_ in rounds:
        tasks.data_changed(round_)


def _public_organisation(typed: str, key: str):
    """A directory organisation whose name has this match key (names are public in the directory)."""
    from squaremile.directory.models import Organisation

    exact = list(Organisation.objects.filter(name__iexact=typed.strip()).order_by("id")[:1])
    if exact:
        return exact[0]
    words = sorted(key.split(), key=len, reverse=True)
    if not words:
        return None
    for org in Organisation.objects.filter(name__icontains=words[0]).order_by("id")[:200]:
        if normalise(org.name) == key:
            return org
    return None


class NameResolver:
    """Resolves many typed names of one survey with one read of its nodes (a response names several
    people; an import names thousands). Use `resolve_name` for one name."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self._by_key: dict[str, Node] = {}
        self._keys: dict[int, str] = {}  # node pk -> key, unmerged nodes only (fuzzy candidates)
        self._nodes: dict[int, Node] = {}
        self._orgs: dict[int, Node] = {}
        nodes = list(Node.objects.filter(survey=survey).order_by("id"))
        self._nodes = {n.pk: n for n in nodes}
        for node in nodes:
            root = self.root(node)
            if node.match_key and node.match_key not in self._by_key:
                self._by_key[node.match_key] = root
            if not node.merged_into_id:
                self._keys[node.pk] = node.match_key
                if node.organisation_id:
                    self._orgs.setdefault(node.organisation_id, node)
        # a key that several nodes share resolves to the first unmerged one
        for node in nodes:
            if not node.merged_into_id and node.match_key:
                current = self._by_key.get(node.match_key)
                if current is not None and current.merged_into_id:
                    self._by_key[node.match_key] = node

    def root(self, node: Node) -> Node:
        seen = set()
        while node.merged_into_id and node.pk not in seen:
            seen.add(node.pk)
            node = self._nodes.get(node.merged_into_id) or node.merged_into
        return node

    def find(self, typed: str) -> Node | None:
        """An existing node for this name, without creating anything."""
        key = normalise(typed)
        return self._by_key.get(key) if key else None

    def _add(self, node: Node, *, suggest: bool = True) -> Node:
        if suggest:
            self._suggest(node)
        self._nodes[node.pk] = node
        self._keys[node.pk] = node.match_key
        self._by_key.setdefault(node.match_key, node)
        if node.organisation_id:
            self._orgs.setdefault(node.organisation_id, node)
        return node

    def _suggest(self, node: Node) -> None:
        """Near misses among the survey's nodes become suggestions for the organiser to review."""
        if not self._keys or not node.match_key:
            return
        matches = process.extract(
            node.match_key, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF, limit=5
        )
        for _key, score, other_pk in matches:
            other = self._nodes[other_pk]
            if other.pk == node.pk or (node.organisation_id and node.organisation_id == other.organisation_id):
                continue
            a, b = sorted([other, node], key=lambda n: n.pk)
            MergeSuggestion.objects.get_or_create(survey=self.survey, a=a, b=b, defaults={"score": round(score, 1)})

    def resolve(self, typed: str, *, organisation=None) -> Node:
        """The node for a typed name (or a picked directory organisation), made if new."""
        label = clean_label(typed)
        if organisation is not None:
            node = self._orgs.get(organisation.pk)
            if node is not None:
                return self.root(node)
            label = label or organisation.name
        key = normalise(label)
        if not key:
            raise ValidationError("A name cannot be empty.")
        node = self._by_key.get(key)
        if node is not None and (organisation is None or node.organisation_id in (None, organisation.pk)):
            node = self.root(node)
            if organisation is not None and not node.organisation_id:
                node.organisation = organisation
                node.save(update_fields=["organisation"])
                self._orgs[organisation.pk] = node
            return node
        if organisation is None:
            organisation = _public_organisation(label, key)
            if organisation is not None and organisation.pk in self._orgs:
                return self.root(self._orgs[organisation.pk])
        if organisation is not None:
            node = Node.objects.create(
                survey=self.survey,
                kind=NodeKind.ORGANISATION,
                label=clean_label(organisation.name),
                match_key=normalise(organisation.name),
                organisation=organisation,
            )
            self._by_key.setdefault(key, node)
        else:
            node = Node.objects.create(survey=self.survey, kind=NodeKind.NAMED, label=label, match_key=key)
        return self._add(node)

    def respondent_node(self, *, name: str, user=None, round_=None, organisation=None) -> Node:
        """The node of someone answering: their account's node, else a node with their name that has
        no answer in this round yet (a name others typed before they answered), else a new one."""
        label = clean_label(name)
        key = normalise(label)
        if not key:
            raise ValidationError({"display_name": ["Please give your name."]})
        if user is not None and getattr(user, "is_authenticated", False):
            mine = next((n for n in self._nodes.values() if n.user_id == user.pk), None)
            if mine is not None:
                return self.root(mine)
        node = self._by_key.get(key)
        if node is not None:
            node = self.root(node)
            answered = round_ is not None and node.responses.filter(round=round_).exists()
            # another person's node, or a directory organisation: not this person
            if not answered and node.kind != NodeKind.ORGANISATION:
                changed = []
                if node.kind != NodeKind.RESPONDENT:
                    node.kind = NodeKind.RESPONDENT
                    changed.append("kind")
                if user is not None and getattr(user, "is_authenticated", False) and not node.user_id:
                    node.user = user
                    changed.append("user")
                if changed:
                    node.save(update_fields=changed)
                return node
        node = Node.objects.create(
            survey=self.survey,
            kind=NodeKind.RESPONDENT,
            label=label,
            match_key=key,
            user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        )
        return self._add(node)


def resolve_name(survey: Survey, typed: str, *, organisation=None) -> Node:
    """The node for one typed name (see the module's docstring)."""
    return NameResolver(survey).resolve(typed, organisation=organisation)


def resolve_names(survey: Survey, typed: Iterable[str]) -> dict[str, Node]:
    resolver = NameResolver(survey)
    return {name: resolver.resolve(name) for name in typed}


@transaction.atomic
def node_merge(*, survey: Survey, keep: Node, merge: Node, by, label: str | None = None) -> Node:
    """Merge `merge` into `keep`: ties move to `keep` (a tie that would join a node to itself is
    dropped; two ties between the same pair in a round become one, the stronger), responses stay with
    their node, which now points at `keep`. `label` renames the kept node (the organiser picks which
    spelling to keep). Records who merged, and marks the rounds' analysis out of date."""
    require(by, "survey.change", survey)
    keep = Node.objects.select_for_update().get(pk=keep.pk)
    merge = Node.objects.select_for_update().get(pk=merge.pk)
    keep, merge = root_of(keep), root_of(merge)
    if keep.survey_id != survey.pk or merge.survey_id != survey.pk:
        raise ValidationError("Both names must belong to this survey.")
    if keep.pk == merge.pk:
        raise ValidationError("These are already the same node.")

    ties = list(Tie.objects.filter(Q(source__in=[keep, merge]) | Q(target__in=[keep, merge])).order_by("id"))
    rounds = {t.round_id for t in ties}

    def moved(node_id: int) -> int:
        return keep.pk if node_id == merge.pk else node_id

    best: dict[tuple[int, int, int], Tie] = {}
    delete_ids: list[int] = []
    for tie in ties:
        pair = (tie.round_id, moved(tie.source_id), moved(tie.target_id))
        if pair[1] == pair[2]:
            delete_ids.append(tie.pk)
            continue
        other = best.get(pair)
        if other is None:
            best[pair] = tie
            continue
        if (tie.strength, tie.sharing or 0) > (other.strength, other.sharing or 0):
            stronger, weaker = tie, other
        else:
            stronger, weaker = other, tie
        stronger.sharing = max(tie.sharing or 0, other.sharing or 0) or None
        delete_ids.append(weaker.pk)
        best[pair] = stronger
    Tie.objects.filter(pk__in=delete_ids).delete()
    for (_round, source_id, target_id), tie in best.items():
        tie.source_id, tie.target_id = source_id, target_id
        tie.save(update_fields=["source", "target", "sharing"])

    # the kept node takes over what only the merged one knew
    changed = ["merged_into"]
    if label and clean_label(label):
        keep.label = clean_label(label)
        keep.save(update_fields=["label"])
    if merge.organisation_id and not keep.organisation_id:
        keep.organisation_id = merge.organisation_id
        keep.kind = NodeKind.ORGANISATION if keep.kind == NodeKind.NAMED else keep.kind
        keep.save(update_fields=["organisation", "kind"])
    if merge.user_id and not keep.user_id:
        keep.user_id, merge.user_id = merge.user_id, None
        keep.save(update_fields=["user"])
        changed.append("user")
    if merge.kind == NodeKind.RESPONDENT and keep.kind == NodeKind.NAMED:
        keep.kind = NodeKind.RESPONDENT
        keep.save(update_fields=["kind"])
    merge.merged_into = keep
    merge.save(update_fields=changed)
    Node.objects.filter(merged_into=merge).update(merged_into=keep)

    # suggestions about the merged node: this pair is decided; others now concern the kept node
    now = timezone.now()
    for suggestion in MergeSuggestion.objects.filter(Q(a=merge) | Q(b=merge)).select_for_update():
        pair = {suggestion.a_id, suggestion.b_id}
        if pair == {keep.pk, merge.pk}:
            suggestion.status, suggestion.decided_by, suggestion.decided_at = "merged", by, now
            suggestion.save(update_fields=["status", "decided_by", "decided_at"])
            continue
        other_id = (pair - {merge.pk}).pop()
        a_id, b_id = sorted([keep.pk, other_id])
        if other_id == keep.pk or MergeSuggestion.objects.filter(a_id=a_id, b_id=b_id).exists():
            suggestion.delete()
        else:
            suggestion.a_id, suggestion.b_id = a_id, b_id
            suggestion.save(update_fields=["a", "b"])

    from squaremile.network.models import Round

    responded = set(merge.responses.values_list("round_id", flat=True))
    _data_changed(Round.objects.filter(pk__in=rounds | responded).order_by("number"))
    # names are confidential to the organisers: the log keeps the nodes' ids, not the names
    audit.record(actor=by, action="network.merged", target=survey, changes={"node": [merge.pk, keep.pk]})
    return keep


@transaction.atomic
def suggestion_dismiss(*, suggestion: MergeSuggestion, by) -> MergeSuggestion:
    """The organiser says two names are different people: the suggestion is closed."""
    require(by, "survey.change", suggestion.survey)
    suggestion.status, suggestion.decided_by, suggestion.decided_at = "dismissed", by, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion
