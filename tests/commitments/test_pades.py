"""Signed PDFs carrying a real PAdES signature, made here with pyHanko and a test certificate."""

import datetime as dt
import io

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf, verify_pades
from ptsm.documents.registry import get_kind
from ptsm.documents.services import render
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def pades_sign(pdf: bytes, common_name: str) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2025, 1, 1))
        .not_valid_after(dt.datetime(2035, 1, 1))
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=None,
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="Signature1"),
        signer=signer,
    )
    return out.getvalue()


def test_a_pades_signed_annex_shows_its_signer_and_integrity():
    project = make_project(departement="29", name="PTSM du Finistère")
    epsm, _gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    generate_annex(letter=letter, organisation=epsm)
    annex = render(project, get_kind("annexe"), str(epsm.pk), "pdf", dt.date(2026, 11, 24))
    signed = pades_sign(annex, "Directrice EPSM Finistère Sud")
    signatory = letter.signatories.get(organisation=epsm)
    record_signed_pdf(
        signatory=signatory,
        upload=SimpleUploadedFile("signee.pdf", signed),
        signed_on=dt.date(2027, 1, 5),
    )
    assert "Directrice EPSM Finistère Sud" in signatory.digital_signer
    assert signatory.digital_signature_valid is True
    assert (
        signatory.digital_signature_trusted is False
    )  # a self-signed test certificate is not recognised


def test_a_pdf_altered_after_its_signature_is_reported_as_not_intact():
    project = make_project(departement="29", name="PTSM du Finistère")
    epsm, _gem = setup_roadmap(project)
    annex = render(project, get_kind("annexe"), str(epsm.pk), "pdf", dt.date(2026, 11, 24))
    signed = bytearray(pades_sign(annex, "Directrice EPSM Finistère Sud"))
    position = signed.find(b"Annexe")  # inside the signed byte range
    signed[position] = ord("X")
    result = verify_pades(bytes(signed))
    assert result.intact is False and result.trusted is False
    assert verify_pades(annex).intact is None  # an unsigned PDF carries no electronic signature
