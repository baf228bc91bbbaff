"""The SVG builder escapes every text it is given and needs no script."""

import xml.etree.ElementTree as ET

from kepu.stats.charts import bar_chart, line_chart

EVIL = '<script>alert("x")</script> & "引号"'


def test_bar_chart_escapes_labels_title_and_description():
    svg = bar_chart([(EVIL, 3), ("讲座", 1)], title=EVIL, desc=EVIL, ident='a"b')
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in svg
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == EVIL
    assert root.find(f"{ns}desc").text == EVIL
    assert root.get("role") == "img"


def test_line_chart_escapes_labels_and_draws_one_point_per_day():
    svg = line_chart([("2021-09-01", 2), (EVIL, 5), ("2021-09-03", 0)], title="t", desc="d")
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}circle")) == 3
    assert len(root.findall(f".//{ns}polyline")) == 1


def test_empty_charts_are_valid_svg():
    ET.fromstring(bar_chart([], title="t", desc="d"))
    ET.fromstring(line_chart([], title="t", desc="d"))
