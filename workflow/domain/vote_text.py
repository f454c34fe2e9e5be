"""The sentences of a vote count (kiểm phiếu), as codes and parameters rendered from a catalogue in
the reader's language: the tally page reads them in Vietnamese or English, the minutes and the
tờ trình in Vietnamese, logs and the API in English. A count keeps the code and parameters, so
that a sentence is worded again (or translated) without counting again.

Shares and ratios are kept as their English text ("62.5%", "2/3"); the Vietnamese rendering
writes them with a decimal comma ("62,5%").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflow.domain.labels import Label

# code -> the sentence in both languages; parameters as %(name)s
CATALOGUE: dict[str, Label] = {
    "rule_met": Label(
        en="%(yes)s yes of %(whole)s %(who)s = %(ratio)s, meets the rule of %(rule)s",
        vi="%(yes)s/%(whole)s %(who)s tán thành = %(ratio)s, đạt quy định %(rule)s"),
    "rule_not_met": Label(
        en="%(yes)s yes of %(whole)s %(who)s = %(ratio)s, does not meet the rule of %(rule)s",
        vi="%(yes)s/%(whole)s %(who)s tán thành = %(ratio)s, không đạt quy định %(rule)s"),
    "rule_nobody_present": Label(
        en="no member is present, so nobody can meet the rule of %(rule)s",
        vi="không có thành viên nào có mặt nên không ai đạt quy định %(rule)s"),
    "quorum_met": Label(
        en="%(present)s of %(members)s members present = %(ratio)s, quorum of at least "
           "%(share)s met",
        vi="%(present)s/%(members)s thành viên có mặt = %(ratio)s, đủ số lượng tối thiểu "
           "%(share)s"),
    "quorum_not_met": Label(
        en="%(present)s of %(members)s members present = %(ratio)s, quorum of at least "
           "%(share)s not met",
        vi="%(present)s/%(members)s thành viên có mặt = %(ratio)s, không đủ số lượng tối thiểu "
           "%(share)s"),
    "cap_runoff": Label(en="tied at the cap, goes to a runoff",
                        vi="bằng phiếu ở vị trí cuối cùng, phải bỏ phiếu lại"),
    "cap_filled": Label(en="carried, but the cap is filled by candidates with more votes",
                        vi="đạt tỷ lệ nhưng đã đủ số lượng tối đa với các ứng viên nhiều phiếu "
                           "hơn"),
    "tie_runoff": Label(
        en="%(count)s candidates tied with %(votes)s votes for %(seats)s place(s): a runoff "
           "among them decides",
        vi="%(count)s ứng viên cùng được %(votes)s phiếu cho %(seats)s vị trí: bỏ phiếu lại "
           "giữa các ứng viên này"),
    "tie_rank_unknown": Label(
        en="tied again in the runoff, and the final score rank is unknown for %(candidates)s",
        vi="vẫn bằng phiếu sau khi bỏ phiếu lại, và chưa có thứ hạng điểm chính thức của "
           "%(candidates)s"),
    "tie_rank": Label(
        en="tied again with %(votes)s votes: the final score rank decides (%(ranks)s)",
        vi="vẫn cùng được %(votes)s phiếu: xếp theo thứ hạng điểm chính thức (%(ranks)s)"),
    "tie_women_priority": Label(
        en="Decree 152/2025/NĐ-CP art. 4: among equally qualified candidates, women and "
           "collectives with at least %(share)s women come first",
        vi="Nghị định 152/2025/NĐ-CP Điều 4: giữa các ứng viên có thành tích như nhau, ưu tiên "
           "nữ và tập thể có từ %(share)s nữ trở lên"),
    "not_cluster_title": Label(en="%(title)s is not voted in a cluster",
                               vi="danh hiệu %(title)s không bình xét trong cụm, khối"),
    # fairness warnings (design, not law): shown with the result, never blocking
    "warn_leader_self": Label(en="%(title)s: the cluster leader %(unit)s elected itself",
                              vi="%(title)s: đơn vị Trưởng khối %(unit)s được suy tôn trong "
                                 "khối do mình làm Trưởng khối"),
    "warn_same_winner": Label(en="%(title)s: unit %(unit)s also won in each of %(years)s",
                              vi="%(title)s: %(unit)s cũng đã được suy tôn các năm %(years)s"),
    "warn_rank": Label(en="%(title)s: unit %(unit)s is ranked %(rank)s by final score, not in "
                          "the top %(top)s",
                       vi="%(title)s: %(unit)s xếp hạng %(rank)s theo điểm chính thức, không "
                          "thuộc %(top)s đơn vị dẫn đầu"),
    "warn_no_score": Label(en="%(title)s: unit %(unit)s has no final score",
                           vi="%(title)s: %(unit)s chưa có điểm chính thức"),
}
# words inside the sentences
WORDS: dict[str, Label] = {
    "members": Label(en="members", vi="thành viên"),
    "present": Label(en="present", vi="thành viên có mặt"),
    "more_than": Label(en="more than", vi="trên"),
    "at_least": Label(en="at least", vi="từ"),
    "all_members": Label(en="of all members", vi="tổng số thành viên"),
    "of_present": Label(en="of the members present", vi="số thành viên có mặt"),
    "rank": Label(en="rank", vi="hạng"),
}
PERCENT_PARAMS = frozenset({"ratio", "share"})


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a count: a catalogue code and the values it needs (JSON-safe)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"no sentence in the vote catalogue for {self.code!r}")

    def render(self, locale: str = "en", names: Mapping[int, str] | None = None,
               titles: Mapping[str, str] | None = None) -> str:
        """The sentence in a language (vi or en); candidates and units named by `names`,
        titles by `titles`, when given (else their codes)."""
        values = {k: _value(k, v, locale, names or {}) for k, v in self.params.items()}
        if "title" in self.params and titles:
            values["title"] = titles.get(str(self.params["title"]), str(self.params["title"]))
        return CATALOGUE[self.code].get(locale) % values

    def english(self) -> str:
        return self.render("en")

    def as_data(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Sentence:
        return cls(str(data["code"]), dict(data.get("params") or {}))


def english(sentences: Sequence[Sentence]) -> str:
    return "; ".join(s.english() for s in sentences)


def render_all(data: Sequence[Mapping[str, Any]] | None, locale: str,
               names: Mapping[int, str] | None = None,
               titles: Mapping[str, str] | None = None) -> str:
    """Stored sentences (as_data) as one text in a language; empty when there are none."""
    return "; ".join(Sentence.of(d).render(locale, names, titles) for d in data or ())


def decimal_comma(text: str, locale: str) -> str:
    return text if locale.startswith("en") else text.replace(".", ",")


def _value(key: str, value: Any, locale: str, names: Mapping[int, str]) -> str:
    if key == "rule" and isinstance(value, Mapping):
        return rule_text(value, locale)
    if key == "who":
        return WORDS[str(value)].get(locale)
    if key in PERCENT_PARAMS:
        return decimal_comma(str(value), locale)
    if key == "unit":
        return names.get(int(value), str(value))
    if key == "candidates":
        return ", ".join(names.get(int(c), str(c)) for c in value)
    if key == "ranks":
        word = WORDS["rank"].get(locale)
        return ", ".join(f"{names.get(int(c), str(c))}: {word} {r}" for c, r in value)
    return str(value)


def rule_text(rule: Mapping[str, Any], locale: str) -> str:
    """"more than 50% of all members" / "trên 50% tổng số thành viên"."""
    share = decimal_comma(str(rule["share"]), locale)
    of = WORDS["all_members" if rule["basis"] == "all_members" else "of_present"].get(locale)
    return f"{WORDS[str(rule['comparison'])].get(locale)} {share} {of}"
