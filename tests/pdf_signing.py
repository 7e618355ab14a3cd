"""Real PAdES signatures and hostile PDFs for the tests, made with pyHanko, pypdf and a
self-signed test certificate generated here (nothing is read from disk)."""

import datetime as dt
import functools
import io

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers


@functools.cache
def test_signer(common_name: str) -> signers.SimpleSigner:
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
    return signers.SimpleSigner(
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


def pades_sign(pdf: bytes, common_name: str, field_name: str = "Signature1") -> bytes:
    """Sign as a PAdES signer would: an incremental update appended to `pdf`."""
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name=field_name),
        signer=test_signer(common_name),
    )
    return out.getvalue()


def _first_page(writer: IncrementalPdfFileWriter):
    return writer.root["/Pages"].raw_get("/Kids")[0].get_object()


def _name(value: str) -> generic.NameObject:
    return generic.NameObject(value)


def append_page_content(pdf: bytes, text: bytes = b"Montant : 9 999 999 EUR") -> bytes:
    """An incremental update that replaces what the first page shows (a forgery)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    page[_name("/Contents")] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (" + text + b") Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def append_text_annotation(
    pdf: bytes, text: str = "Lu et approuvé", subtype: str = "/Text"
) -> bytes:
    """An incremental update adding a comment (sticky note) on the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    annotation = writer.add_object(
        generic.DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name(subtype),
                _name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (10, 10, 30, 30)]
                ),
                _name("/Contents"): generic.TextStringObject(text),
            }
        )
    )
    annots = page.get("/Annots")
    page[_name("/Annots")] = generic.ArrayObject([*(annots or []), annotation])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
