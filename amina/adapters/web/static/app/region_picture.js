// A simple picture of where a day's reports fell, relative to Moscow, Moscow Oblast and the
// registered address: inline SVG drawn from the simplified outline the server gives
// (GET /api/v1/regions/outline). No map tiles, nothing from the internet.

const SVG = "http://www.w3.org/2000/svg";
export const WIDTH = 340;
export const HEIGHT = 300;
const PADDING = 12;
/** The close-up shows at least this much (degrees of latitude, about 3 km). */
const SMALLEST_SPAN = 0.03;

function node(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function extent(points) {
  const lons = points.map((point) => point[0]);
  const lats = points.map((point) => point[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

/** The area around the reports and the address, never smaller than SMALLEST_SPAN. */
function closeUp(points) {
  let [west, south, east, north] = extent(points);
  const middleLat = (south + north) / 2;
  const middleLon = (west + east) / 2;
  const kx = Math.cos((middleLat * Math.PI) / 180);
  const halfLat = Math.max((north - south) * 0.6, SMALLEST_SPAN / 2);
  const halfLon = Math.max((east - west) * 0.6, SMALLEST_SPAN / 2 / kx);
  [west, east] = [middleLon - halfLon, middleLon + halfLon];
  [south, north] = [middleLat - halfLat, middleLat + halfLat];
  return [west, south, east, north];
}

/** Longitude/latitude → picture coordinates: an equirectangular view, true to shape here. */
function projection([west, south, east, north]) {
  const kx = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const spanX = Math.max((east - west) * kx, 1e-9);
  const spanY = Math.max(north - south, 1e-9);
  const scale = Math.min((WIDTH - 2 * PADDING) / spanX, (HEIGHT - 2 * PADDING) / spanY);
  const left = (WIDTH - spanX * scale) / 2;
  const top = (HEIGHT - spanY * scale) / 2;
  return ([lon, lat]) => [left + (lon - west) * kx * scale, top + (north - lat) * scale];
}

function ringPath(ring, project) {
  return (
    ring
      .map((point, index) => {
        const [x, y] = project(point);
        return `${index ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join("") + "Z"
  );
}

function house([x, y]) {
  return `M${x - 9},${y + 8}V${y - 1}L${x},${y - 10}L${x + 9},${y - 1}V${y + 8}Z`;
}

/** Moscow and everything to be shown (points far outside widen the view). */
function overview(outline, points) {
  const moscow = outline.regions.find((region) => region.code === "RU-MOW");
  const rings = moscow ? moscow.polygons.map((polygon) => polygon[0]).flat() : [];
  const all = [...rings, ...points];
  return all.length ? extent(all) : outline.bounds;
}

const SCALE_STEPS_M = [50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

/** A scale bar in the lower left corner: the longest round distance up to 90 px. */
function scaleBar(bounds, project, label) {
  const [west, south, east, north] = bounds;
  const middle = [(west + east) / 2, (south + north) / 2];
  const [, y0] = project(middle);
  const [, y1] = project([middle[0], middle[1] + 0.01]);
  const pixelsPerMetre = Math.abs(y0 - y1) / (0.01 * 111_320);
  const metres = [...SCALE_STEPS_M].reverse().find((step) => step * pixelsPerMetre <= 90) || 50;
  const length = metres * pixelsPerMetre;
  const x = 14;
  const y = HEIGHT - 14;
  const group = node("g", { class: "picture-scale" });
  group.append(node("path", { d: `M${x},${y - 5}V${y}H${(x + length).toFixed(1)}V${y - 5}` }));
  const text = node("text", { x, y: y - 9 });
  text.textContent = label(metres);
  group.append(text);
  return group;
}

/**
 * Draw into `svg`: the regions, the address (if known) and the reports ({lat, lon, region}),
 * with Moscow in view (`view` "overview") or close up ("close"). `label(metres)` words a
 * distance for the scale bar.
 */
export function drawPicture(svg, { outline, address, reports, view, title, label }) {
  const points = reports.map((report) => [report.lon, report.lat]);
  const located = address && address.lat != null && address.lon != null;
  if (located) points.push([address.lon, address.lat]);
  const bounds = view === "close" && points.length ? closeUp(points) : overview(outline, points);
  const project = projection(bounds);
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  svg.replaceChildren();
  const heading = node("title");
  heading.textContent = title;
  svg.append(heading, node("rect", { class: "picture-sea", width: WIDTH, height: HEIGHT }));
  // Moscow Oblast first: Moscow (its holes) is drawn over it.
  const order = ["RU-MOS", "RU-MOW"];
  const rank = (region) => order.indexOf(region.code);
  const regions = [...outline.regions].sort((a, b) => rank(a) - rank(b));
  for (const region of regions) {
    const d = region.polygons
      .map((polygon) => polygon.map((ring) => ringPath(ring, project)).join(""))
      .join("");
    svg.append(
      node("path", { d, class: `picture-region picture-${region.code}`, "fill-rule": "evenodd" }),
    );
  }
  if (reports.length > 1) {
    const path = [...reports]
      .sort((a, b) => a.device_time.localeCompare(b.device_time))
      .map((report, index) => {
        const [x, y] = project([report.lon, report.lat]);
        return `${index ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join("");
    svg.append(node("path", { d: path, class: "picture-track" }));
  }
  if (located) {
    const home = house(project([address.lon, address.lat]));
    svg.append(node("path", { d: home, class: "picture-home" }));
  }
  for (const report of reports) {
    const [x, y] = project([report.lon, report.lat]);
    const outside = !report.region;
    svg.append(
      outside
        ? node("path", {
            d: `M${x},${y - 7}L${x + 7},${y + 5}L${x - 7},${y + 5}Z`,
            class: "picture-report picture-report--outside",
          })
        : node("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 4.5, class: "picture-report" }),
    );
  }
  svg.append(scaleBar(bounds, project, label));
}
