from pipeline.ingest.furniture import (
    classify_block,
    classify_blocks,
    repeated_short_lines,
    split_glued_caption,
)


def test_table_of_contents_and_headings():
    assert classify_block("Table of Contents", set()) == "toc"
    assert classify_block("Why The Corridor Matters Again", set()) == "heading"
    assert classify_block("Can Ankara Broker A Deal?", set()) == "heading"


def test_prose_is_body():
    text = "Ankara turned down the request on Monday. Officials said the rules would apply."
    assert classify_block(text, set()) == "body"


def test_bio_and_social_blocks():
    assert classify_block("Detail Author:", set()) == "bio"
    assert classify_block(" • Name : Jane Roe\n • Email : jane@example.org", set()) == "bio"
    assert classify_block("Socials", set()) == "social"
    assert classify_block("twitter:", set()) == "social"
    assert classify_block("Follow us on X, Facebook and Instagram for daily updates.", set()) == "social"
    assert classify_block("By Amina Sow | West Africa Desk", set()) == "bio"


def test_captions_by_cue_and_by_repetition():
    assert classify_block("Ships wait near the Bosphorus - Photo: Marmara Photo Service", set()) == "caption"
    blocks = ["Map of the region - Atlas", "Body text that says things. More.", "Map of the region - Atlas"]
    captions = repeated_short_lines(blocks)
    assert captions == {"Map of the region - Atlas"}
    assert classify_blocks(blocks) == ["caption", "body", "caption"]


def test_caption_glued_to_a_paragraph_is_split_off():
    captions = {"Map of the region - Atlas"}
    block = "Share your view below. Map of the region - Atlas"
    assert split_glued_caption(block, captions) == ["Share your view below.", "Map of the region - Atlas"]
    assert split_glued_caption("Map of the region - Atlas", captions) == ["Map of the region - Atlas"]


def test_everything_after_an_author_block_is_end_matter():
    blocks = [
        "Qatar offered to host talks between the two sides on Monday.",
        "Detail Author:",
        "He writes about energy markets and has twenty years of experience in the field.",
    ]
    assert classify_blocks(blocks) == ["body", "bio", "bio"]


def test_no_letters_is_boilerplate():
    assert classify_block("---", set()) == "boilerplate"
