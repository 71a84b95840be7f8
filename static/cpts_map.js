/* The maps of units in the browser: the builder's (units filled at once when clicked) and
 * the ARS's coverage map (units filled by their state, one CPTS highlighted).
 *
 * Loaded by folium (ui/map.py) inside streamlit-folium's frame, after Leaflet; it loads
 * Leaflet.draw itself once the units are painted (`options.draw`). `CptsMap.init` fetches the territory's units once (a static file per
 * territory, so Streamlit never re-sends them) and draws them; a click on a unit fills or
 * empties it immediately and sends the toggle to Python through the component's value
 * (window.Streamlit, exposed by streamlit-folium). `CptsMap.update`, run by the dynamic
 * feature group on every rerun, brings the server's perimeter: the map shows it with the
 * clicks the server has not seen yet still applied on top, so it never flickers back.
 *
 * Once its units are drawn, the map sends its value once (`drawn`), so the server can send
 * what waited for the map.
 *
 * Every event (a toggle or a drawing) carries a sequence number; the value sent holds all
 * events not yet acknowledged, and the server applies each number once: a click is never
 * lost when Streamlit coalesces two values, nor applied twice.
 *
 * With `options.tooltip` (a list of [property, label]) the map is read-only: each unit is
 * filled with its `fill` property and `update({highlight: codes})` outlines some of them.
 */
(function () {
  "use strict";

  // Leaflet focuses the map on a mouse press (for its keyboard handler). When the map is
  // partly off screen the browser then scrolls the page to it between the press and the
  // release, and Leaflet takes the click for a drag: the first click was lost. Focus it
  // without scrolling.
  L.Map.Keyboard.prototype._onMouseDown = function () {
    if (!this._focused) this._map._container.focus({preventScroll: true});
  };

  // French texts of Leaflet's controls (read when the map creates them).
  L.Control.Zoom.prototype.options.zoomInTitle = "Zoomer";
  L.Control.Zoom.prototype.options.zoomOutTitle = "Dézoomer";
  L.Control.Scale.prototype.options.imperial = false;

  /* French texts of Leaflet.draw (its toolbar, created after, reads them). */
  function frenchDrawTexts() {
    const toolbar = L.drawLocal.draw.toolbar;
    toolbar.actions = {title: "Annuler le dessin", text: "Annuler"};
    toolbar.finish = {title: "Terminer le dessin", text: "Terminer"};
    toolbar.undo = {title: "Effacer le dernier point", text: "Effacer le dernier point"};
    toolbar.buttons.polygon = "Dessiner un polygone : les communes majoritairement à l'intérieur rejoignent le périmètre";
    toolbar.buttons.rectangle = "Dessiner un rectangle : les communes majoritairement à l'intérieur rejoignent le périmètre";
    const handlers = L.drawLocal.draw.handlers;
    handlers.polygon.tooltip = {
      start: "Cliquez pour placer le premier sommet.",
      cont: "Cliquez pour placer le sommet suivant.",
      end: "Cliquez le premier sommet (ou « Terminer ») pour fermer la forme."};
    handlers.rectangle.tooltip = {start: "Cliquez et faites glisser pour dessiner un rectangle."};
    handlers.simpleshape.tooltip = {end: "Relâchez pour terminer le dessin."};
    handlers.polyline.error = "<strong>Erreur :</strong> les côtés ne peuvent pas se croiser !";
  }

  /* The drawing tools (polygon, rectangle), once the units are painted: Leaflet.draw's
   * script and styles are not on the way to the map's first paint. Each drawing stays on
   * the map until the server has applied it (`update`). */
  function addDrawTools(draw) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = draw.css;
    document.head.appendChild(css);
    const script = document.createElement("script");
    script.src = draw.js;
    script.onload = () => {
      frenchDrawTexts();
      const drawn = L.featureGroup().addTo(S.map);
      new L.Control.Draw({position: "topleft", draw: draw.options,
                          edit: {featureGroup: drawn, edit: false, remove: false}}).addTo(S.map);
      S.map.on("draw:created", (e) => drawn.addLayer(e.layer));
    };
    document.head.appendChild(script);
  }

  /* The code of the builder's panels (ui/panel_code.py: Streamlit's scripts of the elements
   * a first click brings), imported into the page (Streamlit's, same origin) while it is
   * idle after the units are painted: the first click then shows its figures as soon as
   * the next ones. Each import resolves against the page's own script, in the page's realm,
   * so Streamlit's loader later finds the same modules already there. */
  function loadPanelCode(files) {
    const page = window.parent;
    const index = page !== window && page.document.querySelector('script[type="module"][src*="/static/js/index."]');
    if (!index) return;
    const load = new page.Function("url", "return import(url)");
    Promise.allSettled(files.map((file) => load(new URL(file, index.src).href).catch((error) => {
      console.warn("CptsMap: panel code", file, error);
    }))).then(() => { S.panelCodeLoaded = true; });
  }

  /* `run` once the browser is idle (Safari has no requestIdleCallback: soon after, then). */
  function whenIdle(run) {
    if (window.requestIdleCallback) requestIdleCallback(run, {timeout: 2000}); else setTimeout(run, 200);
  }

  // The units' file, named in this script's address (?units=...): fetched now, while the
  // browser still loads Leaflet.draw and the styles, not once the map exists.
  // A fetch that fails or stalls (seen on a loaded machine) is tried again.
  function load(url, tries = 4) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 8000);
    return fetch(url, {signal: abort.signal})
      .then((r) => { if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.json(); })
      .finally(() => clearTimeout(timer))
      .catch((error) => {
        if (tries <= 1) throw error;
        return new Promise((resolve) => setTimeout(resolve, 300)).then(() => load(url, tries - 1));
      });
  }
  const own = document.currentScript && new URL(document.currentScript.src).searchParams.get("units");
  const prefetched = own ? {url: own, data: load(own)} : null;

  const S = {
    map: null, options: null, layer: null, byCode: {}, labels: null,
    server: new Set(), shown: new Set(), pending: [], drawings: {}, highlight: new Set(), ready: false,
    client: Math.random().toString(36).slice(2), seq: 0, drawing: false,
    neighbourUrl: null, neighbourLayer: null, neighbourOf: {}, lastUpdate: null,
  };

  function isShown(code) {
    let on = S.server.has(code);
    for (const e of S.pending) if (e.code === code) on = !on;
    return on;
  }

  function styleOf(feature) {
    const o = S.options.style;
    const code = feature.properties.code;
    if (S.options.tooltip) {  // read-only map of states
      const filled = Object.assign({}, o.unit, {fillColor: feature.properties.fill});
      return S.highlight.has(code) ? Object.assign(filled, o.highlight) : filled;
    }
    if (S.shown.has(code)) return o.perimeter;
    const neighbour = S.neighbourOf[code];
    return neighbour ? Object.assign({}, o.unit, {fillColor: neighbour.colour, fillOpacity: 0.35}) : o.unit;
  }

  function restyle(codes) {
    for (const code of codes) {
      const layer = S.byCode[code];
      if (layer) layer.setStyle(styleOf(layer.feature));
    }
  }

  /* Recompute what the map shows (server's perimeter + pending toggles), restyle what
   * changed, and place the labels again. */
  function refresh() {
    const next = new Set();
    for (const code of S.server) if (S.byCode[code]) next.add(code);
    for (const e of S.pending) if (e.code && S.byCode[e.code]) {
      if (next.has(e.code)) next.delete(e.code); else next.add(e.code);
    }
    const changed = [];
    for (const code of next) if (!S.shown.has(code)) changed.push(code);
    for (const code of S.shown) if (!next.has(code)) changed.push(code);
    S.shown = next;
    restyle(changed);
    placeLabels();
  }

  function send() {
    const events = S.pending.map((e) => e.code ? [e.seq, "toggle", e.code] : [e.seq, "drawing", e.geometry]);
    window.Streamlit.setComponentValue({client: S.client, events: events, drawn: S.ready});
  }

  function toggle(code) {
    S.pending.push({seq: ++S.seq, code: code});
    refresh();
    send();
  }

  function onUnitClick(e) {
    if (S.drawing) return;  // a drawing tool is active: the click places a vertex
    e.originalEvent._cptsDone = true;
    toggle(e.layer.feature.properties.code);
  }

  /* Even-odd ray casting over every ring of a (Multi)Polygon given as GeoJSON. */
  function contains(geometry, lng, lat) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    let inside = false;
    for (const rings of polygons) {
      for (const ring of rings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i], [xj, yj] = ring[j];
          if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
        }
      }
    }
    return inside;
  }

  /* A click on the map that no unit took (seen under load: the browser's hit test found
   * no path while Leaflet was still updating its SVG): find the unit under it ourselves. */
  function onMapClick(e) {
    if (S.drawing || !S.layer || e.originalEvent._cptsDone) return;
    for (const code in S.byCode) {
      const layer = S.byCode[code];
      if (layer.getBounds().contains(e.latlng) && contains(layer.feature.geometry, e.latlng.lng, e.latlng.lat)) {
        toggle(code);
        return;
      }
    }
  }

  function tooltipOf(layer) {
    const p = layer.feature.properties;
    if (S.options.tooltip) {
      return `<b>${p.nom}</b>` + S.options.tooltip.map(([key, label]) => `<br>${label} : ${p[key]}`).join("");
    }
    const neighbour = S.neighbourOf[p.code];
    return `<b>${p.nom}</b><br>INSEE ${p.code}<br>Population : ${p.pop}` +
      (neighbour ? `<br>CPTS voisine : ${neighbour.name}` : "");
  }

  /* Names on the map where they fit: the perimeter's units first, then the most
   * populated, each kept only if it does not overlap a name already placed. */
  function placeLabels() {
    if (!S.labels || !S.layer) return;
    S.labels.clearLayers();
    const map = S.map;
    const size = map.getSize();
    const bounds = map.getBounds();
    const candidates = [];
    for (const code in S.byCode) {
      const p = S.byCode[code].feature.properties;
      if (!p.lp || !bounds.contains(p.lp)) continue;
      candidates.push([S.shown.has(code) ? 1e12 + p.n : p.n, p]);
    }
    candidates.sort((a, b) => b[0] - a[0]);
    const placed = [];
    const max = S.options.maxLabels;
    for (const [, p] of candidates) {
      if (placed.length >= max) break;
      const pt = map.latLngToContainerPoint(p.lp);
      const w = 6.5 * p.nom.length + 6, h = 16;
      const box = [pt.x - w / 2, pt.y - h / 2, pt.x + w / 2, pt.y + h / 2];
      if (box[0] < 0 || box[1] < 0 || box[2] > size.x || box[3] > size.y) continue;
      if (placed.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) continue;
      placed.push(box);
      L.marker(p.lp, {
        interactive: false, keyboard: false,
        icon: L.divIcon({className: "cpts-label", html: p.nom, iconSize: [w, h]}),
      }).addTo(S.labels);
    }
  }

  function showNeighbours(url) {
    if (url === S.neighbourUrl) return;
    S.neighbourUrl = url;
    if (S.neighbourLayer) S.neighbourLayer.remove();
    S.neighbourLayer = null;
    const previous = Object.keys(S.neighbourOf);
    S.neighbourOf = {};
    restyle(previous);
    if (!url) return;
    load(url).then((data) => {
      if (url !== S.neighbourUrl) return;
      for (const f of data.features) {
        for (const code of f.properties.codes) S.neighbourOf[code] = f.properties;
      }
      // Outlines only (no fill): the units under them still take the clicks.
      S.neighbourLayer = L.geoJSON(data, {
        style: (f) => ({color: f.properties.colour, weight: 3, dashArray: "6 4", fill: false}),
        onEachFeature: (f, layer) => layer.bindTooltip(`CPTS voisine : ${f.properties.name}`, {sticky: true}),
      }).addTo(S.map);
      restyle(Object.keys(S.neighbourOf));
    });
  }

  const CptsMap = {
    init(map, options) {
      S.map = map;
      S.options = options;
      map.on("draw:drawstart", () => { S.drawing = true; });
      map.on("draw:drawstop", () => { S.drawing = false; });
      map.on("draw:created", (e) => {
        const seq = ++S.seq;
        S.drawings[seq] = e.layer;
        S.pending.push({seq: seq, geometry: e.layer.toGeoJSON().geometry});
        send();
      });
      map.createPane("cptsLabels").style.zIndex = 450;
      S.labels = L.layerGroup([], {pane: "cptsLabels"}).addTo(map);
      map.on("zoomend moveend", placeLabels);
      const data = prefetched && prefetched.url === options.url ? prefetched.data : load(options.url);
      data.then((data) => {
        S.layer = L.geoJSON(data, {
          style: styleOf,
          onEachFeature: (f, layer) => { S.byCode[f.properties.code] = layer; },
        });
        S.layer.bindTooltip(tooltipOf, {sticky: true});
        if (!S.options.tooltip) {
          S.layer.on("click", onUnitClick);
          map.on("click", onMapClick);
        }
        S.layer.addTo(map);
        S.layer.bringToBack();
        if (S.lastUpdate) CptsMap.update(S.lastUpdate); else refresh();
        S.ready = true;
        requestAnimationFrame(() => {  // the frame that paints the units
          S.drawnAt = performance.timeOrigin + performance.now();
          if (S.options.draw) addDrawTools(S.options.draw);
          // Tell the server the map is up: it then sends what could wait until now (the
          // builder's Taille scale, whose chart code would slow the map's first paint).
          if (!S.options.tooltip) setTimeout(send, 0);
          if (S.options.panelCode) whenIdle(() => loadPanelCode(S.options.panelCode));
        });
      }).catch((error) => {  // every try failed: say so on the map, not a blank map
        console.error("CptsMap: units not loaded", error);
        const notice = L.control({position: "topright"});
        notice.onAdd = () => L.DomUtil.create("div", "cpts-map-error");
        notice.addTo(map).getContainer().textContent =
          "Les communes n'ont pas pu être chargées : rechargez la page.";
      });
    },

    /* The server's state after a run: perimeter codes, the last event it applied, and the
     * neighbouring CPTS file. */
    update(state) {
      S.lastUpdate = state;
      if (state.highlight) {  // read-only map: outline these units
        const before = S.highlight;
        S.highlight = new Set(state.highlight);
        restyle([...before, ...S.highlight]);
        for (const code of S.highlight) if (S.byCode[code]) S.byCode[code].bringToFront();
        return;
      }
      S.server = new Set(state.selected);
      if (state.ack && state.ack.client === S.client) {
        for (const e of S.pending) {
          if (e.seq <= state.ack.seq && S.drawings[e.seq]) {
            S.drawings[e.seq].remove();
            delete S.drawings[e.seq];
          }
        }
        S.pending = S.pending.filter((e) => e.seq > state.ack.seq);
      }
      if (!S.layer) return;
      showNeighbours(state.neighbours);
      refresh();
    },

    get ready() { return !!S.ready; },
    /* For tests and benchmarks: events sent and not yet acknowledged, and the last sent. */
    get pending() { return S.pending.map((e) => e.seq); },
    get lastSeq() { return S.seq; },
    /* When the units were first painted (milliseconds since 1970, as Date.now()). */
    get drawnAt() { return S.drawnAt; },
    get unitCount() { return Object.keys(S.byCode).length; },
    /* For tests and benchmarks: the panels' code is in the page (or failed to load). */
    get panelCodeLoaded() { return !!S.panelCodeLoaded; },
  };
  window.CptsMap = CptsMap;
})();
