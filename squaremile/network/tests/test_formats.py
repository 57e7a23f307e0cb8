"""Exports that Gephi-format readers parse back to the same graph; the ties-table parser."""

import csv
import io

import networkx as nx
import pytest

from squaremile.network.analysis import (
    NodeIn,
    TieIn,
    analyse,
    nodes_csv,
    parse_ties_table,
    ties_csv,
    to_gexf,
    to_graphml,
)

NODES = [
    NodeIn("r1", "Asha Patel", stream="community", skills={"cooking": "strong"}, needs=("it",), willingness=4),
    NodeIn("r2", "Ben Ó Briain", stream="business", resources={"van": "some"}),
    NodeIn("o3", "Kettleby Food Bank", kind="organisation", stream="community"),
    NodeIn("n4", '=HYPERLINK("x")', kind="named"),
    NodeIn("r5", "Alone & <Quiet>", stream="individual"),
]
TIES = [
    TieIn("r1", "r2", strength=3, sharing=2),
    TieIn("r2", "r1", strength=1),
    TieIn("r1", "o3", strength=2),
    TieIn("r2", "n4", strength=1),
]


@pytest.fixture(scope="module")
def result():
    return analyse(NODES, TIES)


@pytest.mark.parametrize("kind", ["gexf", "graphml"])
def test_gephi_formats_parse_back_to_the_same_graph(kind, result):
    if kind == "gexf":
        data = to_gexf(NODES, TIES, result, layout=result.layout)
        G = nx.read_gexf(io.BytesIO(data))
    else:
        data = to_graphml(NODES, TIES, result, layout=result.layout)
        G = nx.read_graphml(io.BytesIO(data))
    assert isinstance(data, bytes)
    assert not G.is_directed()
    assert set(G.nodes) == {"r1", "r2", "o3", "n4", "r5"}
    assert {frozenset(e) for e in G.edges} == {
        frozenset(("r1", "r2")),
        frozenset(("r1", "o3")),
        frozenset(("r2", "n4")),
    }
    assert G.edges["r1", "r2"]["weight"] == 3  # the stronger of the two answers
    assert G.edges["r2", "n4"]["weight"] == 1
    for node in NODES:
        attrs = G.nodes[node.key]
        assert attrs["label"] == node.label
        assert attrs["kind"] == node.kind
        assert attrs["stream"] == node.stream
        assert attrs["community"] == result.nodes[node.key]["community"]
        assert attrs["degree"] == result.nodes[node.key]["degree"]
        assert attrs["betweenness"] == pytest.approx(result.nodes[node.key]["betweenness"])
    assert G.nodes["r1"]["skills"] == "cooking:strong"
    assert G.nodes["r1"]["willingness"] == 4
    if kind == "gexf":
        assert G.nodes["r1"]["viz"]["position"]["x"] == pytest.approx(result.layout["r1"][0] * 1000)
    else:
        assert G.nodes["r1"]["x"] == pytest.approx(result.layout["r1"][0])


def test_exports_compute_metrics_when_not_given():
    G = nx.read_gexf(io.BytesIO(to_gexf(NODES, TIES)))
    assert G.nodes["r1"]["degree"] == 2
    G = nx.read_graphml(io.BytesIO(to_graphml(NODES, TIES, analyse(NODES, TIES).to_json())))
    assert G.nodes["r2"]["degree"] == 2


def test_nodes_csv_has_the_figures_and_defuses_formulas(result):
    rows = list(csv.DictReader(io.StringIO(nodes_csv(NODES, TIES, result))))
    assert [r["key"] for r in rows] == ["r1", "r2", "o3", "n4", "r5"]
    assert rows[0]["label"] == "Asha Patel" and rows[0]["skills"] == "cooking:strong" and rows[0]["needs"] == "it"
    assert rows[0]["degree"] == "2" and rows[0]["is_broker"] in ("True", "False")
    assert rows[3]["label"] == '\'=HYPERLINK("x")'
    assert rows[4]["constraint"] == ""  # an isolate has none
    plain = list(csv.DictReader(io.StringIO(nodes_csv(NODES))))
    assert "degree" not in plain[0]


def test_ties_csv_reads_back_with_the_parser():
    text = ties_csv(NODES, TIES)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["From key"], r["To key"], r["Strength"]) for r in rows] == [
        ("r1", "r2", "3"), ("r1", "o3", "2"), ("r2", "r1", "1"), ("r2", "n4", "1"),
    ]  # fmt: skip
    assert rows[0]["Sharing"] == "2" and rows[1]["Sharing"] == ""
    parsed = parse_ties_table(text, "ties.csv")
    assert parsed.errors == [] and parsed.ok
    assert [(r.source, r.target, r.strength) for r in parsed.rows] == [
        ("Asha Patel", "Ben Ó Briain", 3),
        ("Asha Patel", "Kettleby Food Bank", 2),
        ("Ben Ó Briain", "Asha Patel", 1),
        ("Ben Ó Briain", '\'=HYPERLINK("x")', 1),
    ]


# ---- parser ------------------------------------------------------------------------------
def test_parser_reads_kumu_columns_any_case_with_bom_and_semicolons():
    data = "\ufeffFROM;to;Type;Weight;Notes\r\nAsha;Ben;friends;3;x\r\nBen;Carol;;;\r\n".encode()
    parsed = parse_ties_table(io.BytesIO(data), "kumu.csv")
    assert parsed.errors == []
    assert parsed.delimiter == ";"
    assert [(r.source, r.target, r.strength, r.line, r.type) for r in parsed.rows] == [
        ("Asha", "Ben", 3, 2, "friends"),
        ("Ben", "Carol", 2, 3, ""),
    ]


def test_parser_reads_tabs_source_target_and_words_for_strength():
    parsed = parse_ties_table("Source\tTarget\tStrength\nAsha\tBen\tstrong\nBen\tCarol\tweak\n", "t.tsv")
    assert [(r.source, r.target, r.strength) for r in parsed.rows] == [("Asha", "Ben", 3), ("Ben", "Carol", 1)]


def test_parser_reports_every_bad_row_by_line_number():
    text = (
        "From,To,Strength\n"  # 1
        "Asha,Ben,2\n"  # 2
        ",Ben,2\n"  # 3 missing from
        "Asha,,\n"  # 4 missing to
        "Carol,carol ,1\n"  # 5 tie to oneself
        "Asha,Dev,5\n"  # 6 strength out of range
        "Asha,Eve,high\n"  # 7 strength not a number
        "\n"  # 8 blank: skipped
        "asha, ben ,3\n"  # 9 duplicate of line 2
        '"Fay\nSmith",Gil,1\n'  # 10-11 a quoted name over two lines
        "Hal,Ida,3\n"  # 12
    )
    parsed = parse_ties_table(text, "ties.csv")
    assert [(e.line, e.message) for e in parsed.errors] == [
        (3, "From is empty."),
        (4, "To is empty."),
        (5, "A tie from Carol to themselves."),
        (6, "Strength must be 1, 2 or 3 (or weak, medium, strong), not '5'."),
        (7, "Strength must be 1, 2 or 3 (or weak, medium, strong), not 'high'."),
        (9, "The tie from asha to ben is already on line 2."),
    ]
    assert [(r.line, r.source, r.target) for r in parsed.rows] == [
        (2, "Asha", "Ben"), (10, "Fay Smith", "Gil"), (12, "Hal", "Ida"),
    ]  # fmt: skip
    assert not parsed.ok


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        ("   \n\n", "blank.csv", "The file is empty."),
        (None, "none.csv", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x00\x00binary", "ties.csv", "is not a CSV table"),
        (b"\x00\x01\x02\xff\xfe", "ties.csv", "is not a CSV table"),
        (b"From,To\n", "ties.xlsx", "Save the sheet as CSV"),
        ("Name,Email\nAsha,a@example.org\n", "people.csv", "must name the columns From and To"),
        ("From,To\n", "head.csv", "has a header row but no ties"),
        (12345, "odd.csv", "could not be read"),
    ],
)
def test_parser_never_raises_on_bad_files(data, filename, message):
    parsed = parse_ties_table(data, filename)
    assert parsed.rows == [] and not parsed.ok
    assert len(parsed.errors) == 1
    assert message in parsed.errors[0].message


def test_parser_reads_windows_1252_text():
    parsed = parse_ties_table("From,To\nRené,Zoë\n".encode("cp1252"), "legacy.csv")
    assert [(r.source, r.target) for r in parsed.rows] == [("René", "Zoë")]


def test_parser_reports_a_file_that_cannot_be_read():
    class Broken(io.BytesIO):
        def read(self, *args):
            raise OSError("disk")

    parsed = parse_ties_table(Broken(), "x.csv")
    assert parsed.errors[0].line == 0 and "could not be read" in parsed.errors[0].message


def test_parser_fuzz_never_raises():
    import random

    rng = random.Random(7)
    alphabet = ['"', ",", ";", "\t", "\n", "\r", "a", "B", "1", "3", " ", "\x00", "é", "From", "To"]
    for _ in range(300):
        text = "From,To,Strength\n" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        parsed = parse_ties_table(text if rng.random() < 0.5 else text.encode("utf-8"), "f.csv")
        assert all(e.line >= 0 and e.message for e in parsed.errors)
        assert all(r.source and r.target and r.strength in (1, 2, 3) for r in parsed.rows)


def test_parser_reads_a_text_file_object_and_ignores_extra_and_short_rows():
    parsed = parse_ties_table(io.StringIO("Notes,To,From\nhello,Ben,Asha,extra\n,Carol\n"), "t.csv")
    assert [(r.source, r.target, r.line) for r in parsed.rows] == [("Asha", "Ben", 2)]
    assert [(e.line, e.message) for e in parsed.errors] == [(3, "From is empty.")]
