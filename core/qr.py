"""QR codes drawn as inline SVG."""

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    """An SVG QR code for data, with error correction Q and a 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4)
    code.add_data(data)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return Markup(svg)  # noqa: S704  (made by qrcode from our own URL, not user HTML)
