// The control room's page: plain browser JavaScript, no build step, nothing fetched but this origin's API.
// Every second it reads /api/state and redraws in place (elements are kept by key, so nothing flickers);
// a trace opened from the list or the search box is drawn from /api/traces/<id> as a waterfall.
'use strict';

(() => {
  const POLL_MS = 1000;
  const NODE = { width: 232, height: 92, columnGap: 80, rowGap: 22 };
  /** How long a trace searched for may take to arrive: the services export about every second. */
  const TRACE_RETRIES = 15;
  const SVG = 'http://www.w3.org/2000/svg';

  const $ = (selector) => document.querySelector(selector);
  let latest = null;
  let openTrace = null; // { traceId, spanCount, retriesLeft }

  // ----- small helpers -----

  function element(tag, attributes = {}, ...children) {
    const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.setAttribute('class', value);
      else if (name === 'text') node.textContent = value;
      // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
      else if (name === 'style') node.style.cssText = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  /** Replaces `node`'s children with those given, leaving out the absent (null) ones. */
  const fill = (node, ...children) => node.replaceChildren(...children.filter((child) => child !== null));

  /** `streamplane.catalog.v1.CatalogService/GetTitle` → `CatalogService/GetTitle`: the rest is in the tooltip. */
  const shortName = (name) => name.replace(/^streamplane\.[\w.]+\.v\d+\./, '');

  /** Makes `container`'s keyed children match `items`, in order, creating and updating as needed. */
  function keyed(container, items, keyOf, create, update) {
    const existing = new Map();
    for (const child of [...container.children]) {
      if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
      else child.remove();
    }
    let previous = null;
    for (const item of items) {
      const key = keyOf(item);
      let node = existing.get(key);
      existing.delete(key);
      if (!node) {
        node = create(item);
        node.dataset.key = key;
      }
      update(node, item);
      const expectedAt = previous ? previous.nextSibling : container.firstChild;
      if (node !== expectedAt) container.insertBefore(node, expectedAt);
      previous = node;
    }
    for (const node of existing.values()) node.remove();
  }

  const rate = (value) => (value === null ? '–' : value < 10 ? value.toFixed(1) : Math.round(value).toString());
  const share = (value) => (value === null ? '–' : `${(value * 100).toFixed(value > 0 && value < 0.01 ? 2 : 1)} %`);
  const millis = (value) => (value === null ? '–' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);
  const clock = (iso) => {
    const at = new Date(iso);
    return `${at.toLocaleTimeString([], { hour12: false })}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  };
  const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const hueOf = (text) => [...text].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 360, 7);

  /** The colour class of a call edge: its callee's health first, then its failure share. */
  function edgeHealth(edge, healthOf) {
    if (healthOf.get(edge.to) === 'UNREACHABLE') return 'bad';
    if (edge.requestsPerS === null) return 'unknown';
    if (edge.errorShare >= 0.1) return 'bad';
    if (edge.errorShare >= 0.01 || healthOf.get(edge.to) === 'NOT_SERVING') return 'warn';
    return edge.requestsPerS > 0 ? 'good' : 'idle';
  }

  // ----- the service graph -----

  /** Column = the longest chain of callers above a component, so every call goes left to right. */
  function columns(services, edges) {
    const depth = new Map(services.map((service) => [service.name, 0]));
    for (let pass = 0; pass < services.length; pass++) {
      for (const { from, to } of edges) {
        if (depth.has(from) && depth.has(to)) depth.set(to, Math.max(depth.get(to), depth.get(from) + 1));
      }
    }
    const byColumn = [];
    for (const service of services) {
      const column = Math.min(depth.get(service.name), services.length);
      (byColumn[column] ??= []).push(service.name);
    }
    // Within a column, each component sits about level with its callers (fewer lines cross).
    const rowOf = new Map();
    return byColumn.filter(Boolean).map((names) => {
      const level = (name) => {
        const rows = edges
          .filter((edge) => edge.to === name && rowOf.has(edge.from))
          .map((edge) => rowOf.get(edge.from));
        return rows.length === 0 ? Infinity : rows.reduce((sum, row) => sum + row, 0) / rows.length;
      };
      const ordered = [...names].sort((a, b) => level(a) - level(b) || names.indexOf(a) - names.indexOf(b));
      ordered.forEach((name, row) => rowOf.set(name, row));
      return ordered;
    });
  }

  function renderGraph(state) {
    const graph = $('#graph');
    const lines = $('#graph-lines');
    const healthOf = new Map(state.services.map((service) => [service.name, service.health]));
    const layout = columns(state.services, state.edges);
    const position = new Map();
    layout.forEach((names, column) =>
      names.forEach((name, row) =>
        position.set(name, {
          x: column * (NODE.width + NODE.columnGap),
          y: row * (NODE.height + NODE.rowGap) + (column % 2) * (NODE.rowGap * 1.5),
        }),
      ),
    );
    const width = Math.max(1, layout.length) * (NODE.width + NODE.columnGap) - NODE.columnGap;
    const height = Math.max(...[...position.values()].map(({ y }) => y + NODE.height), NODE.height) + 4;
    graph.style.width = `${width}px`;
    graph.style.height = `${height}px`;
    lines.setAttribute('width', width);
    lines.setAttribute('height', height);
    lines.setAttribute('viewBox', `0 0 ${width} ${height}`);

    // Each node's outgoing edges leave along its right side, incoming ones arrive along its left, spread
    // by the other end's height, so that lines (and their labels) do not pile up on one point.
    const attach = new Map();
    const spread = (ends, side) => {
      for (const [name, list] of ends) {
        list.sort((a, b) => position.get(a.other).y - position.get(b.other).y);
        list.forEach(({ edge }, index) =>
          attach.set(
            `${side} ${edge.from}>${edge.to}`,
            position.get(name).y + ((index + 1) * NODE.height) / (list.length + 1),
          ),
        );
      }
    };
    const drawn = state.edges.filter((edge) => position.has(edge.from) && position.has(edge.to));
    const group = (nameOf, otherOf) => {
      const ends = new Map();
      for (const edge of drawn) {
        const name = nameOf(edge);
        if (!ends.has(name)) ends.set(name, []);
        ends.get(name).push({ edge, other: otherOf(edge) });
      }
      return ends;
    };
    spread(
      group(
        (edge) => edge.from,
        (edge) => edge.to,
      ),
      'out',
    );
    spread(
      group(
        (edge) => edge.to,
        (edge) => edge.from,
      ),
      'in',
    );

    lines.replaceChildren(
      ...drawn.flatMap((edge) => {
        const key = `${edge.from}>${edge.to}`;
        const x1 = position.get(edge.from).x + NODE.width;
        const y1 = attach.get(`out ${key}`);
        const x2 = position.get(edge.to).x;
        const y2 = attach.get(`in ${key}`);
        const bend = Math.max(40, (x2 - x1) / 2);
        const strokeWidth = 1.5 + Math.min(5, Math.log10(1 + (edge.requestsPerS ?? 0)) * 2);
        const title = `${edge.from} → ${edge.to}: ${rate(edge.requestsPerS)}/s, ${share(edge.errorShare)} failed, p99 ${millis(edge.p99Ms)}`;
        return [
          element(
            'svg:path',
            {
              class: `edge edge-${edgeHealth(edge, healthOf)}`,
              d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
              'stroke-width': strokeWidth.toFixed(1),
              'data-edge': key,
            },
            element('svg:title', { text: title }),
          ),
          // The curve's midpoint (its control points are symmetric).
          element('svg:text', {
            class: 'edge-label',
            x: (x1 + x2) / 2,
            y: (y1 + y2) / 2 - 4,
            'text-anchor': 'middle',
            text: `${rate(edge.requestsPerS)}/s`,
          }),
        ];
      }),
    );

    keyed(
      $('#graph-nodes'),
      state.services,
      (service) => service.name,
      (service) =>
        element(
          'div',
          { class: 'node', 'data-service': service.name },
          element('div', { class: 'node-name', text: service.name }),
          element('div', { class: 'node-health' }),
          element('div', { class: 'node-traffic' }),
          element('div', { class: 'node-address', text: service.address }),
        ),
      (node, service) => {
        const at = position.get(service.name);
        node.style.left = `${at.x}px`;
        node.style.top = `${at.y}px`;
        node.style.width = `${NODE.width}px`;
        node.style.height = `${NODE.height}px`;
        node.dataset.health = service.health;
        node.className = `node health-${service.health}`;
        const serving = service.instances.filter((instance) => instance.health === 'SERVING').length;
        const instances = service.instances.length > 1 ? ` · ${serving}/${service.instances.length} instances` : '';
        node.querySelector('.node-health').textContent =
          `${service.health.replace('_', ' ').toLowerCase()}${instances}`;
        node.querySelector('.node-traffic').textContent =
          service.requestsPerS !== null
            ? `${rate(service.requestsPerS)}/s · ${share(service.errorShare)} failed · p99 ${millis(service.p99Ms)}`
            : service.protocol === 'http'
              ? 'requests served: not exported'
              : 'no metrics read lately';
        node.title = service.instances.map((instance) => `${instance.address} ${instance.health}`).join('\n');
      },
    );

    keyed(
      $('#edges tbody'),
      state.edges,
      (edge) => `${edge.from}>${edge.to}`,
      () =>
        element(
          'tr',
          {},
          ...[0, 1, 2, 3, 4].map((column) => element('td', { class: column > 1 ? 'number' : undefined })),
        ),
      (row, edge) => {
        row.className = `edge-row edge-${edgeHealth(edge, healthOf)}`;
        const cells = row.children;
        cells[0].textContent = edge.from;
        cells[1].textContent = edge.to;
        cells[2].textContent = rate(edge.requestsPerS);
        cells[3].textContent = share(edge.errorShare);
        cells[4].textContent = millis(edge.p99Ms);
      },
    );
  }

  // ----- the breaker grid -----

  function renderBreakers(state) {
    $('#breakers-empty').hidden = state.breakers.length > 0;
    keyed(
      $('#breakers'),
      state.breakers,
      (breaker) => `${breaker.service} ${breaker.breaker}`,
      (breaker) =>
        element(
          'div',
          { class: 'breaker', 'data-breaker': breaker.breaker, 'data-caller': breaker.service },
          element(
            'div',
            { class: 'breaker-head' },
            element(
              'svg:svg',
              { class: 'breaker-volume', width: 34, height: 34, viewBox: '0 0 34 34' },
              element('svg:circle', { cx: 17, cy: 17 }),
            ),
            element(
              'div',
              { class: 'breaker-title' },
              element('div', { class: 'breaker-name', text: breaker.breaker }),
              element('div', { class: 'breaker-caller', text: `from ${breaker.service}` }),
            ),
          ),
          element(
            'div',
            { class: 'breaker-main' },
            element('span', { class: 'breaker-errors' }),
            element('span', { class: 'breaker-errors-label', text: 'failed' }),
            element('span', { class: 'breaker-state' }),
          ),
          element('dl', { class: 'breaker-counts' }),
        ),
      (card, breaker) => {
        card.dataset.state = breaker.state;
        card.className = `breaker state-${breaker.state}`;
        const openOn = breaker.instances.open + breaker.instances['half-open'];
        const instanceCount = breaker.instances.open + breaker.instances['half-open'] + breaker.instances.closed;
        card.querySelector('.breaker-state').textContent =
          instanceCount > 1 && openOn > 0 ? `${breaker.state} on ${openOn}/${instanceCount}` : breaker.state;
        card.querySelector('.breaker-errors').textContent = share(breaker.errorShare);
        const circle = card.querySelector('circle');
        circle.setAttribute('r', (4 + Math.min(12, Math.log10(1 + breaker.requests) * 4)).toFixed(1));
        circle.setAttribute('class', breaker.errorShare >= 0.5 ? 'bad' : breaker.errorShare >= 0.1 ? 'warn' : 'good');
        const limit =
          breaker.concurrencyLimit === null ? '–' : `${breaker.inFlight ?? 0} / ${breaker.concurrencyLimit}`;
        const counts = [
          [`attempts in ${state.windowS} s`, breaker.requests],
          ['retries', breaker.retries],
          ['fallbacks', breaker.fallbacks],
          [
            'rejected',
            `${breaker.rejections} (breaker ${breaker.breakerRejections}, limit ${breaker.limitRejections})`,
          ],
          ['in flight / limit', limit],
        ];
        card
          .querySelector('.breaker-counts')
          .replaceChildren(
            ...counts.flatMap(([name, value]) => [
              element('dt', { text: name }),
              element('dd', { text: String(value) }),
            ]),
          );
      },
    );
  }

  // ----- traces -----

  function renderTraceList(state) {
    const store = state.traceStore;
    $('#trace-hint').textContent =
      store.otlpPort === null
        ? state.jaegerUrl
          ? `Traces go to Jaeger (${state.jaegerUrl}); a trace id opens there.`
          : 'No OTLP receiver here (OTLP_PORT=0) and no Jaeger URL: no traces to show.'
        : `The last traces the services exported to this control room (OTLP on port ${store.otlpPort}): ` +
          `${store.traces} kept of at most ${store.maxTraces}, ${store.spans} spans of at most ${store.maxSpans}.` +
          (state.jaegerUrl ? ' Each links to Jaeger.' : '');
    keyed(
      $('#trace-list'),
      state.traces,
      (trace) => trace.traceId,
      (trace) => {
        const open = trace.link
          ? element('a', { class: 'trace-open', href: trace.link, target: '_blank', rel: 'noopener' })
          : element('button', { class: 'trace-open', type: 'button', onclick: () => showTrace(trace.traceId) });
        return element('li', { class: 'trace-item', 'data-trace-id': trace.traceId }, open);
      },
      (item, trace) => {
        item.classList.toggle('has-errors', trace.errorCount > 0);
        item.classList.toggle('selected', openTrace?.traceId === trace.traceId);
        const marks = trace.marks.map((mark) => element('span', { class: `mark mark-${mark}`, text: mark }));
        item.title = `${trace.rootService} ${trace.rootName}`;
        fill(
          item.firstChild,
          element('span', { class: 'trace-time', text: clock(trace.startedAt) }),
          element('span', {
            class: 'span-service',
            style: `--hue:${hueOf(trace.rootService)}`,
            text: trace.rootService,
          }),
          element('span', { class: 'trace-root', text: shortName(trace.rootName) }),
          element('span', {
            class: 'trace-facts',
            text: `${millis(trace.durationMs)} · ${count(trace.spanCount, 'span')} · ${count(trace.services.length, 'service')}`,
          }),
          trace.errorCount > 0
            ? element('span', { class: 'mark mark-error', text: count(trace.errorCount, 'error') })
            : null,
          ...marks,
          element('span', { class: 'trace-id', text: trace.traceId }),
        );
      },
    );
    const open = openTrace && state.traces.find((trace) => trace.traceId === openTrace.traceId);
    if (open && open.spanCount !== openTrace.spanCount) void showTrace(open.traceId, { quiet: true });
  }

  function waterfallMessage(text, link) {
    fill(
      $('#waterfall'),
      element('p', { class: 'empty', text }),
      link
        ? element('p', {}, element('a', { href: link, target: '_blank', rel: 'noopener', text: 'Open it in Jaeger' }))
        : null,
    );
  }

  async function showTrace(traceId, { quiet = false } = {}) {
    if (!quiet || openTrace?.traceId !== traceId) openTrace = { traceId, spanCount: 0, retriesLeft: TRACE_RETRIES };
    let response;
    try {
      response = await fetch(`/api/traces/${traceId}`);
    } catch {
      return waterfallMessage('The control room does not answer; retrying with the next update.');
    }
    if (openTrace?.traceId !== traceId) return; // another trace was opened meanwhile
    if (response.status === 404) {
      const jaeger = latest?.jaegerUrl ? `${latest.jaegerUrl}/trace/${traceId}` : null;
      // Without a receiver here nothing is coming: no point waiting for it.
      const receiving = latest?.traceStore.otlpPort !== null;
      if (receiving && openTrace.retriesLeft-- > 0) {
        waterfallMessage(
          `Trace ${traceId} has not arrived (yet): the services export their spans about every second; still looking…`,
          jaeger,
        );
        setTimeout(() => openTrace?.traceId === traceId && showTrace(traceId, { quiet: true }), POLL_MS);
      } else {
        waterfallMessage(`Trace ${traceId} was not received here (or is no longer kept).`, jaeger);
      }
      return;
    }
    const body = await response.json();
    if (!response.ok) return waterfallMessage(body.error ?? `HTTP ${response.status}`);
    openTrace.spanCount = body.spans.length;
    drawWaterfall(body);
    for (const item of document.querySelectorAll('#trace-list .trace-item')) {
      item.classList.toggle('selected', item.dataset.traceId === traceId);
    }
  }

  function drawWaterfall(trace) {
    const totalMs = Math.max(0.001, ...trace.spans.map((span) => span.startMs + span.durationMs));
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((at) =>
      element('span', { class: 'tick', style: `left:${at * 100}%`, text: millis(at * totalMs) }),
    );
    const rows = trace.spans.map((span) => {
      const left = (span.startMs / totalMs) * 100;
      const width = Math.max(0.3, (span.durationMs / totalMs) * 100);
      const details = [
        `${span.service} ${span.kind} ${span.name}`,
        `start +${millis(span.startMs)}, ${millis(span.durationMs)}, ${span.status}${span.statusMessage ? `: ${span.statusMessage}` : ''}`,
        ...Object.entries(span.attributes).map(([key, value]) => `${key} = ${JSON.stringify(value)}`),
        ...span.events.map((event) => `event +${millis(event.atMs)} ${event.name} ${JSON.stringify(event.attributes)}`),
      ].join('\n');
      const hue = hueOf(span.service);
      return element(
        'div',
        {
          class: `span-row status-${span.status}`,
          'data-span-service': span.service,
          'data-marks': span.marks.length > 0 ? span.marks.join(' ') : undefined,
          title: details,
        },
        element(
          'div',
          { class: 'span-label', style: `padding-left:${0.4 + span.depth * 0.9}rem` },
          element('span', { class: 'span-service', style: `--hue:${hue}`, text: span.service }),
          element('span', { class: 'span-name', text: shortName(span.name) }),
        ),
        element(
          'div',
          { class: 'span-track' },
          element('div', { class: 'span-bar', style: `left:${left}%;width:${width}%;--hue:${hue}` }),
          ...span.events
            .filter((event) => span.marks.includes(event.name))
            .map((event) =>
              element('span', {
                class: `event-tick mark-${event.name}`,
                style: `left:${(event.atMs / totalMs) * 100}%`,
                title: event.name,
              }),
            ),
          element(
            'span',
            { class: 'span-duration', style: `left:${Math.min(left + width, 88)}%` },
            millis(span.durationMs),
            ...span.marks.map((mark) => element('span', { class: `mark mark-${mark}`, text: mark })),
          ),
        ),
      );
    });
    fill(
      $('#waterfall'),
      element(
        'div',
        { class: 'waterfall-head' },
        element('span', { class: 'waterfall-title', text: `trace ${trace.traceId}` }),
        element('span', { text: `${count(trace.spans.length, 'span')} over ${millis(totalMs)}` }),
        trace.link ? element('a', { href: trace.link, target: '_blank', rel: 'noopener', text: 'Jaeger ↗' }) : null,
      ),
      element(
        'div',
        { class: 'span-row axis' },
        element('div', { class: 'span-label' }),
        element('div', { class: 'span-track' }, ...ticks),
      ),
      ...rows,
    );
  }

  // ----- chaos events -----

  function renderChaos(state) {
    $('#chaos-empty').hidden = state.chaosEvents.length > 0;
    keyed(
      $('#chaos-events'),
      state.chaosEvents,
      (event) => `${event.at} ${event.source} ${event.kind} ${event.text}`,
      (event) =>
        element(
          'li',
          { class: `chaos-event source-${event.source}` },
          element('span', { class: 'chaos-time', text: clock(event.at) }),
          element('span', { class: 'chaos-source', text: event.source }),
          element('span', { class: 'chaos-kind', text: event.kind }),
          event.service ? element('span', { class: 'chaos-service', text: event.service }) : null,
          element('span', { class: 'chaos-text', text: event.text }),
        ),
      () => undefined,
    );
  }

  // ----- the loop -----

  function render(state) {
    latest = state;
    for (const span of document.querySelectorAll('.window-s')) span.textContent = String(state.windowS);
    $('#updated-at').textContent = state.updatedAt
      ? `updated ${clock(state.updatedAt)}`
      : 'waiting for the first reading…';
    renderGraph(state);
    renderBreakers(state);
    renderTraceList(state);
    renderChaos(state);
  }

  async function poll() {
    const startedAt = Date.now();
    try {
      const response = await fetch('/api/state', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(await response.json());
      $('#connection').textContent = 'live';
      $('#connection').className = 'connection live';
    } catch (error) {
      $('#connection').textContent = `control room unreachable (${error.message}); retrying`;
      $('#connection').className = 'connection lost';
    }
    setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - startedAt)));
  }

  $('#trace-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('#trace-search').value.trim();
    // A whole traceparent (00-<trace id>-<span id>-01) is accepted too: the id is the 32 hex inside.
    const traceId = /[0-9a-f]{32}/i.exec(text)?.[0]?.toLowerCase();
    if (!traceId) return waterfallMessage(`"${text}" is no trace id: one is 32 hex characters.`);
    void showTrace(traceId);
  });

  void poll();
})();
