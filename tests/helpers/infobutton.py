"""HL7 Infobutton requests as the URL-based implementation guide writes them (its appendix examples)."""

from __future__ import annotations

# --- Infobutton requests as the HL7 URL-based implementation guide writes them ---------------------

SNOMED, ICD10_WHO, ICD9CM, RXNORM, NDC, MESH = (
    "2.16.840.1.113883.6.96",
    "2.16.840.1.113883.6.3",
    "2.16.840.1.113883.6.103",
    "2.16.840.1.113883.6.88",
    "2.16.840.1.113883.6.69",
    "2.16.840.1.113883.6.177",
)

# The guide's appendix examples. Example 1: a problem-list infobutton for a 77-year-old man with bacterial
# pneumonia (MeSH), subtopic therapy.
GUIDE_EXAMPLE_1 = (
    "knowledgeRequestNotification.effectiveTime.v=20060706001023&holder.assignedEntity.n=Organizationusername"
    "&holder.assignedEntity.certificateText=organizationpassword&patientPerson.administrativeGenderCode.c=M"
    "&patientPerson.administrativeGenderCode.dn=Male&age.v.v=77&age.v.u=a&ageGroup.v.c=D000368"
    "&taskContext.c.c=PROBLISTREV&subTopic.v.c=Q000628&subTopic.v.cs=2.16.840.1.113883.6.177&subTopic.v.dn=therapy"
    "&mainSearchCriteria.v.c=D018410&mainSearchCriteria.v.cs=2.16.840.1.113883.6.177"
    "&mainSearchCriteria.v.dn=Bacterial+Pneumonia&mainSearchCriteria.v.ot=Pneumonia"
)
# Example 2: a nurse on the medication list, for an 8-year-old girl who reads Spanish (NDC code).
GUIDE_EXAMPLE_2 = (
    "knowledgeRequestNotification.effectiveTime.v=20060706001023&holder.assignedEntity.n=OrganizationUsername"
    "&holder.assignedEntity.certificateText=organizationpassword&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=8&age.v.u=a&taskContext.c.c=MEDLISTREV&performer=PROV&informationRecipient=PAT"
    "&performer.languageCode.c=en&informationRecipient.languageCode.c=es&performer.healthCareProvider.c.c=163W00000X"
    "&performer.healthCareProvider.c.dn=Registered+Nurse&mainSearchCriteria.v.c=49502-693-03"
    "&mainSearchCriteria.v.cs=2.16.840.1.113883.6.69"
    "&mainSearchCriteria.v.dn=Albuterol+sulfate+inhalation+solution+1.25+mg"
    "&mainSearchCriteria.v.ot=Albuterol+sulfate"
)
# Example 3.a: medication order entry, with an observation whose value is a code (SNOMED CT).
GUIDE_EXAMPLE_3A = (
    "knowledgeRequestNotification.effectiveTime.v=20120706001023&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=28&age.v.u=a&taskContext.c.c=MEDOE&performer=PROV&performer.healthCareProvider.c.c=163W00000X"
    "&mainSearchCriteria.v.c=38341003&mainSearchCriteria.v.cs=2.16.840.1.113883.6.96"
    "&mainSearchCriteria.v.dn=Hypertensive%20disorder&mainSearchCriteria.v.ot=Systemic+arterial+hypertension"
    "&observation.v.c=77386008&observation.v.cs=2.16.840.1.113883.6.96&subtopic.v.c=Q000628"
    "&subtopic.v.cs=2.16.840.1.113883.6.177&subtopic.v.dn=therapy"
)
# Example 3.b: an observation whose value is a physical quantity (renal function), in an ambulatory encounter.
GUIDE_EXAMPLE_3B = (
    "knowledgeRequestNotification.effectiveTime.v=20120706001023&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=67&age.v.u=a&taskContext.c.c=MEDOE&performer=PROV&performer.healthCareProvider.c.c=200000000X"
    "&encounter.c.c=AMB&mainSearchCriteria.v.c=197379&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&mainSearchCriteria.v.dn=Atenolol+100+mg+Oral+Tablet&mainSearchCriteria.v.ot=Atenolol"
    "&observation.v.c=102811001&observation.v.cs=2.16.840.1.113883.6.96&observation.v.v=65&observation.v.u=mL/min"
    "&subtopic.v.c=Q000008&subtopic.v.cs=2.16.840.1.113883.6.177&subtopic.v.dn=administration+and+dosage"
)
# Appl Clin Inform 2016, Table 1: "HL7 IB example request implemented as a URL" (a JSON answer, for a provider).
PAPER_TABLE_1 = (
    "searchType=HL7&representedOrganization.id.root=1.3.6.1.4.1.3768&patientPerson.administrativeGenderCode.c=F"
    "&age.v.v=67&age.v.u=a&mainSearchCriteria.v.c=749196&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"
    "&mainSearchCriteria.v.dn=Clopidogrel&performer=PROV&taskContext.c.c=MLREV&informationRecipient=PROV"
    "&knowledgeResponseType=application/json"
)

# name -> (request, its code system's OID, that system's name): each is refused as written, answered as ICD-10-CM
GUIDE_EXAMPLES = {
    "example 1 (MeSH)": (GUIDE_EXAMPLE_1, MESH, "MeSH"),
    "example 2 (NDC)": (GUIDE_EXAMPLE_2, NDC, "NDC"),
    "example 3.a (SNOMED CT)": (GUIDE_EXAMPLE_3A, SNOMED, "SNOMED CT"),
    "example 3.b (RxNorm)": (GUIDE_EXAMPLE_3B, RXNORM, "RxNorm"),
    "paper table 1 (RxNorm)": (PAPER_TABLE_1, RXNORM, "RxNorm"),
}
