"""The public history speaks the reader's language, also for the lines the system writes itself."""

from __future__ import annotations

from grievance.cases import service as svc
from grievance.extensions import db
from tests.intake.helpers import case_by_reference, receipt_of, submit_complaint, text_of


def test_the_answer_and_the_appeal_are_told_in_khmer(client, make):
    officer = make.user("officer", fund="NSAF")
    reference, code = receipt_of(submit_complaint(client))
    case = case_by_reference(reference)
    svc.acknowledge(case, officer, "បានទទួល")
    svc.resolve(case, officer, "explained", "ប្រាក់ត្រូវបានផ្ញើហើយ។")
    db.session.commit()

    page = text_of(client.post("/track/feedback", data={"reference": reference, "code": code, "solved": "no"}))
    assert "ដូច្នេះបណ្ដឹងរបស់អ្នកឥឡូវនេះជាបណ្ដឹងឧទ្ធរណ៍" in page
    assert "The complainant says" not in page  # the service's English note is not shown to the public

    client.set_cookie("lang", "en")
    page = text_of(client.post("/track", data={"reference": reference, "code": code}))
    assert "so your complaint is now an appeal" in page
    assert '<p class="message">No</p>' in page
