from kepu.core.text import fold, mask_phone, normalise_phone, search_terms


def test_traditional_and_simplified_fold_to_the_same_text():
    assert fold("沙坡頭區科學技術協會") == fold("沙坡头区科学技术协会")


def test_vietnamese_folds_without_diacritics_including_d_stroke():
    assert fold("Phòng, chống dịch COVID-19 Đồng") == "phong, chong dich covid-19 dong"


def test_search_terms_drop_punctuation_and_are_bounded():
    assert search_terms("phòng, chống") == ["phong", "chong"]
    assert len(search_terms("词 " * 1000)) <= 8
    assert search_terms("") == []


def test_phone_masking_keeps_three_and_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_phone_normalisation_drops_spaces_and_the_mainland_prefix():
    assert normalise_phone("+86 138-1234-5678") == "13812345678"
