"""The cockpit's XLSX export: one typed row per project (dates are dates, amounts euros, counts
numbers), the house style of `documents.spreadsheets`."""

from decimal import Decimal

from ptsm.documents.spreadsheets import Sheet, workbook_bytes
from ptsm.roadmap.models import ActionStatus, Funder, FundingStatus


def cockpit_headers() -> list[str]:
    headers = [
        "Projet",
        "Région",
        "Territoire",
        "Phase",
        "Phase depuis le",
        "Début",
        "Fin prévue",
        "Lettre de cadrage",
        "Lettre de cadrage signée le",
        "Diagnostic validé le",
        "Feuille de route validée le",
        "Fiches-actions",
    ]
    headers += [f"Fiches-actions : {s.label.lower()}" for s in ActionStatus]
    headers += [
        f"{funder.label} : {status.label.lower()}" for funder in Funder for status in FundingStatus
    ]
    headers += [
        "Total sollicité",
        "Total acquis",
        "Engagements signés",
        "Engagements attendus",
        "Prochain bilan",
        "Prochain bilan le",
        "Jalons en retard",
        "Participation des personnes concernées et des proches",
    ]
    return headers


def cockpit_row(line) -> list:
    project = line.project
    row = [
        project.name,
        project.region.name,
        project.territory.name,
        project.get_phase_display(),
        line.phase_since,
        project.start_date,
        project.planned_end_date,
        line.framing_label,
        line.framing_signed_on,
        line.diagnostic_validated_on,
        line.roadmap_validated_on,
        line.actions_total,
    ]
    row += [line.actions.get(s, 0) for s in ActionStatus]
    row += [
        line.funding.get((funder, status), Decimal(0))
        for funder in Funder
        for status in FundingStatus
    ]
    row += [
        line.requested,
        line.granted,
        line.signed,
        line.expected,
        line.next_review[0] if line.next_review else None,
        line.next_review[1] if line.next_review else None,
        line.late_milestones,
        "\n".join(f"{f.label} : {f.detail or f.value}" for f in line.participation),
    ]
    return row


def cockpit_workbook(lines, *, national: bool) -> bytes:
    headers = cockpit_headers()
    money = [i for i, h in enumerate(headers) if ":" in h and "Fiches-actions" not in h]
    money += [headers.index("Total sollicité"), headers.index("Total acquis")]
    return workbook_bytes(
        [
            Sheet(
                title="Pilotage national" if national else "Pilotage régional",
                headers=headers,
                rows=[cockpit_row(line) for line in lines],
                totals=money,
            )
        ]
    )
