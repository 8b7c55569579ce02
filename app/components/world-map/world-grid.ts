/**
 * A tile-grid world map: every country is one square, placed near its geographic centre. No
 * country outlines are shipped (no licensed geometry is installed, and outlines would weigh far
 * more than this page may); a tile map also gives every country the same weight, which is what a
 * map of signers per country needs (a small country with many signers is not lost). See
 * docs/decisions/0011-dashboard-and-media.md.
 *
 * The positions are approximate centres (latitude, longitude in degrees) written for this project:
 * facts, not anyone's geometry. Longitudes east of the antimeridian's islands are shifted by 360
 * so that the Pacific stays in one piece on the map's east edge.
 */
const CENTRES =
  "AD42.5,1.5 AE24,54 AF33,66 AG17.1,-61.8 AI18.2,-63.1 AL41,20 AM40,45 AO-12.5,18.5 AQ-75,0 AR-34,-64 AS-14.3,-170.7 " +
  "AT47.5,14.5 AU-25,134 AW12.5,-70 AX60.2,20 AZ40.5,47.5 BA44,18 BB13.2,-59.5 BD24,90 BE50.8,4.5 BF12.3,-1.5 BG42.7,25.5 " +
  "BH26,50.5 BI-3.4,29.9 BJ9.5,2.3 BL17.9,-62.8 BM32.3,-64.8 BN4.5,114.7 BO-17,-65 BQ12.2,-68.3 BR-10,-52 BS24,-76 " +
  "BT27.5,90.4 BV-54.4,3.4 BW-22,24 BY53.5,28 BZ17.2,-88.7 CA56,-100 CC-12.2,96.8 CD-3,23 CF6.6,20.9 CG-1,15 CH46.8,8.2 " +
  "CI7.5,-5.5 CK-21.2,-159.8 CL-35,-71 CM5.7,12.7 CN35,103 CO4,-73 CR10,-84 CU21.5,-79 CV16,-24 CW12.2,-69 CX-10.5,105.7 " +
  "CY35,33 CZ49.8,15.5 DE51,10 DJ11.8,42.6 DK56,10 DM15.4,-61.4 DO18.8,-70.2 DZ28,2.6 EC-1.5,-78 EE58.7,25.5 EG26.5,30 " +
  "EH24.5,-13 ER15.2,39.8 ES40,-3.7 ET9,39.5 FI64,26 FJ-17.8,178 FK-51.8,-59 FM6.9,158.2 FO62,-6.8 FR46.5,2.5 GA-0.8,11.6 " +
  "GB54,-2 GD12.1,-61.7 GE42.2,43.5 GF4,-53 GG49.5,-2.6 GH7.9,-1 GI36.1,-5.4 GL72,-40 GM13.4,-15.3 GN10.4,-10.9 " +
  "GP16.2,-61.6 GQ1.6,10.5 GR39,22 GS-54.4,-36.6 GT15.6,-90.3 GU13.4,144.8 GW12,-15 GY5,-59 HK22.3,114.2 HM-53,73.5 " +
  "HN14.8,-86.6 HR45.2,15.5 HT19,-72.5 HU47.2,19.5 ID-2.5,118 IE53.2,-8 IL31.4,35 IM54.2,-4.5 IN22,79 IO-6.3,71.9 " +
  "IQ33,43.7 IR32.5,53.7 IS65,-18.6 IT42.8,12.5 JE49.2,-2.1 JM18.1,-77.3 JO31.2,36.5 JP36.5,138 KE0.2,37.9 KG41.2,74.8 " +
  "KH12.6,105 KI1.4,173 KM-11.9,43.9 KN17.3,-62.7 KP40.3,127.5 KR36.5,127.9 KW29.3,47.6 KY19.3,-81.3 KZ48,67 LA18.2,103.9 " +
  "LB33.9,35.9 LC13.9,-61 LI47.2,9.6 LK7.9,80.7 LR6.4,-9.4 LS-29.6,28.2 LT55.2,23.9 LU49.8,6.1 LV56.9,24.6 LY27,17 " +
  "MA31.8,-7.1 MC43.7,7.4 MD47.4,28.4 ME42.7,19.4 MF18.1,-63.1 MG-19,46.9 MH7.1,171.2 MK41.6,21.7 ML17.6,-4 MM21.9,96 " +
  "MN46.9,103.8 MO22.2,113.5 MP15.2,145.7 MQ14.6,-61 MR21,-10.9 MS16.7,-62.2 MT35.9,14.4 MU-20.3,57.6 MV3.2,73.2 " +
  "MW-13.3,34.3 MX23.6,-102.5 MY4,104 MZ-18.7,35.5 NA-22.9,18.5 NC-21.3,165.6 NE17.6,8.1 NF-29,168 NG9.1,8.7 NI12.9,-85.2 " +
  "NL52.1,5.3 NO62,10 NP28.4,84.1 NR-0.5,166.9 NU-19,-169.9 NZ-41,174 OM21.5,56 PA8.5,-80.8 PE-9.2,-75 PF-17.7,-149.4 " +
  "PG-6.3,144 PH12.9,121.8 PK30.4,69.3 PL52,19.1 PM46.9,-56.3 PN-24.4,-128.3 PR18.2,-66.5 PS31.9,35.2 PT39.4,-8.2 " +
  "PW7.5,134.6 PY-23.4,-58.4 QA25.3,51.2 RE-21.1,55.5 RO45.9,25 RS44,21 RU60,60 RW-1.9,29.9 SA23.9,45.1 SB-9.6,160.2 " +
  "SC-4.7,55.5 SD15.5,30 SE62,15 SG1.4,103.8 SH-15.9,-5.7 SI46.1,14.9 SJ78,16 SK48.7,19.7 SL8.5,-11.8 SM43.9,12.5 " +
  "SN14.5,-14.5 SO5.2,46.2 SR4,-56 SS7.9,30 ST0.2,6.6 SV13.8,-88.9 SX18,-63.1 SY35,38.5 SZ-26.5,31.5 TC21.7,-71.8 " +
  "TD15.5,18.7 TF-49.3,69.3 TG8.6,0.8 TH15.9,101 TJ38.9,71.3 TK-9.2,-171.8 TL-8.9,125.7 TM39,59.6 TN34,9.5 TO-21.2,-175.2 " +
  "TR39,35 TT10.7,-61.2 TV-7.1,177.6 TW23.7,121 TZ-6.4,34.9 UA49,31.2 UG1.4,32.3 UM19.3,166.6 US39,-98 UY-32.5,-55.8 " +
  "UZ41.4,64.6 VA41.9,12.4 VC13.3,-61.2 VE7,-66 VG18.4,-64.6 VI18.3,-64.9 VN16,106 VU-15.4,166.9 WF-13.8,-177.2 " +
  "WS-13.8,-172.1 YE15.6,48.5 YT-12.8,45.2 ZA-30.6,22.9 ZM-13.1,27.8 ZW-19,29.2";

/** Degrees of longitude and of latitude per tile, and the part of the globe the grid covers. */
const CELL_X = 6;
const CELL_Y = 7;
const WEST = -170;
const NORTH = 80;
const SOUTH = -58;

export const GRID_COLUMNS = Math.ceil(360 / CELL_X);
export const GRID_ROWS = Math.ceil((NORTH - SOUTH) / CELL_Y);

export interface GridTile {
  code: string;
  col: number;
  row: number;
}

function parseCentres(): { code: string; lat: number; lon: number }[] {
  return CENTRES.split(" ").map((entry) => {
    const [lat, lon] = entry.slice(2).split(",").map(Number) as [number, number];
    return { code: entry.slice(0, 2), lat, lon: lon < WEST ? lon + 360 : lon };
  });
}

/**
 * Places each country on the free tile nearest its centre. Countries in crowded neighbourhoods go
 * first, so a crowded region (Europe, the Caribbean) fills the tiles around its own middle and
 * spreads outwards as a block, rather than being scattered around countries placed before it.
 */
function layout(): GridTile[] {
  const centres = parseCentres().map((c) => ({
    code: c.code,
    x: (c.lon - WEST) / CELL_X,
    y: (NORTH - Math.max(SOUTH + 1, Math.min(NORTH - 1, c.lat))) / CELL_Y,
  }));
  const crowd = (a: (typeof centres)[number]) => centres.filter((b) => Math.hypot(a.x - b.x, a.y - b.y) < 2.5).length;
  const order = centres.map((c) => ({ ...c, crowd: crowd(c) })).sort((a, b) => b.crowd - a.crowd || a.code.localeCompare(b.code));
  const taken = new Set<string>();
  const tiles: GridTile[] = [];
  for (const c of order) {
    let best: { col: number; row: number; d: number } | undefined;
    const home = { col: Math.floor(c.x), row: Math.floor(c.y) };
    for (let r = 0; r < Math.max(GRID_COLUMNS, GRID_ROWS) && !best; r++) {
      for (let row = home.row - r; row <= home.row + r; row++) {
        for (let col = home.col - r; col <= home.col + r; col++) {
          if (row < 0 || row >= GRID_ROWS || col < 0 || col >= GRID_COLUMNS || taken.has(`${col},${row}`)) continue;
          const d = Math.hypot(col + 0.5 - c.x, row + 0.5 - c.y);
          if (!best || d < best.d) best = { col, row, d };
        }
      }
    }
    taken.add(`${best!.col},${best!.row}`);
    tiles.push({ code: c.code, col: best!.col, row: best!.row });
  }
  return tiles.sort((a, b) => a.code.localeCompare(b.code));
}

export const WORLD_TILES: readonly GridTile[] = layout();
export const TILE_BY_CODE: ReadonlyMap<string, GridTile> = new Map(WORLD_TILES.map((t) => [t.code, t]));

/** Every country's tile as one path: the map's light background, a few kilobytes. */
export const WORLD_BACKGROUND_PATH = WORLD_TILES.map((t) => `M${t.col} ${t.row}h.9v.9h-.9z`).join("");
