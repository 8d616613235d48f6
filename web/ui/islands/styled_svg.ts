/**
 * frappe-charts colours its SVG shapes with `setAttribute("style", "fill: …")`, which the page's CSP
 * (no inline style) refuses. {@linkcode styleSvgThroughCssom} makes `setAttribute("style", …)` on
 * SVG elements set the same declarations through the CSSOM (`element.style`), which the CSP allows.
 *
 * @module
 */

let patched = false;

/** Sets `declarations` (`fill: red; opacity: .5`) on `element` through its CSSOM style. */
export function applyDeclarations(element: SVGElement | HTMLElement, declarations: string): void {
  for (const part of declarations.split(";")) {
    const colon = part.indexOf(":");
    if (colon < 0) continue;
    const property = part.slice(0, colon).trim();
    if (property) element.style.setProperty(property, part.slice(colon + 1).trim());
  }
}

/** Routes `style` attributes set on SVG elements through the CSSOM (once per page). */
export function styleSvgThroughCssom(): void {
  if (patched) return;
  patched = true;
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (this: Element, name: string, value: string) {
    if (this instanceof SVGElement && name.toLowerCase() === "style") applyDeclarations(this, String(value));
    else setAttribute.call(this, name, value);
  };
}
