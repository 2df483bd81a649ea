"""Articles the English-only rules used to lose: Chinese text judged boilerplate, an Arabic headline
dropped (and its first paragraph taken for it), an article nested deeper than lxml parses (issue 14)."""

import pytest

from newsflow.config import Settings
from tasks.text.clean import Rejected, clean_document, clean_html, clean_text
from tasks.text.deep_html import flattened

ZH = """鹿特丹港新码头明年春季启用
鹿特丹港务局周二表示，新的集装箱码头将于明年春季正式投入使用，预计每年可增加约两百万标准箱的吞吐能力。
港务局发言人在新闻发布会上说，码头的建设工程已经完成了八成，剩余的工作主要是安装自动化起重设备和铺设铁路支线。
据介绍，新码头将采用全电动的运输车辆，港口方面希望借此在二零三零年前把碳排放减少一半。
不过，当地环保组织提醒说，扩建工程可能影响附近湿地的鸟类栖息地，呼吁港务局公布更详细的环境评估报告。
"""
AR = """ميناء روتردام يفتتح رصيفا جديدا في الربيع المقبل
قالت هيئة ميناء روتردام يوم الثلاثاء إن رصيف الحاويات الجديد سيبدأ العمل رسميا في الربيع المقبل، مما سيضيف نحو مليوني حاوية سنويا إلى طاقة الميناء.
وأضاف متحدث باسم الهيئة في مؤتمر صحفي أن أعمال البناء أنجزت بنسبة ثمانين في المئة، وأن ما تبقى يتعلق بتركيب الرافعات الآلية.
ورحبت شركات شحن عدة بالمشروع، معتبرة أنه سيخفف الازدحام المزمن في موانئ شمال أوروبا.
"""


@pytest.mark.parametrize("text", [ZH, AR], ids=["chinese", "arabic"])
def test_caseless_scripts_keep_their_headline_and_every_paragraph(text):
    lines = text.strip().split("\n")
    cleaned = clean_text(text)
    assert cleaned.title == lines[0]
    assert cleaned.text.split("\n") == lines[1:]
    row = {"source": "a.txt", "body": text, "body_format": "text", "encoding": "utf-8"}
    assert clean_document(row, Settings())[0]["title"] == lines[0]


def test_english_boilerplate_is_still_dropped_around_a_chinese_article():
    cleaned = clean_text("Share\nAdvertisement\n" + ZH + "Leave a Reply\nYour email address will not be published.\n")
    assert cleaned.text.split("\n") == ZH.strip().split("\n")[1:]


def deep_page(depth: int) -> str:
    paragraphs = "".join(f"<p>The port authority said on Tuesday that part {i} of the report covers the new "
                         "quay and its opening next spring.</p>" for i in range(5))
    return ("<html><head><title>Deep page</title></head><body>" + "<div><span>" * (depth // 2)
            + f"<article><h1>Deep page</h1>{paragraphs}</article>" + "</span></div>" * (depth // 2) + "</body></html>")


@pytest.mark.parametrize("depth", [300, 3000])
def test_an_article_nested_past_lxmls_depth_limit_is_extracted(depth):
    cleaned = clean_html(deep_page(depth))
    assert cleaned.title == "Deep page" and cleaned.text.count("The port authority said") == 5


def test_flattening_is_only_for_deep_pages_and_keeps_text_and_entities():
    assert flattened(deep_page(40)) is None
    flat = flattened(deep_page(600).replace("the new quay", "the new quay &amp; its &#8220;cranes&#8221;"))
    assert flat.count("<div>") <= 60 and "the new quay &amp; its &#8220;cranes&#8221;" in flat
    with pytest.raises(Rejected):
        clean_html("<html><body>" + "<div>" * 400 + "</div>" * 400 + "</body></html>")
