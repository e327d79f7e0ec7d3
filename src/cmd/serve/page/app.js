// The page: uploads go to this program's own API on this machine; every
// text from a file is shown with textContent, never as HTML.
'use strict';

const token = new URLSearchParams(location.search).get('token');
// This start's key: the server accepts changes only from a page that has it.
const pageKey = document.querySelector('meta[name="budget-tables-key"]').content;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

// ---- requests ------------------------------------------------------------

let busyCount = 0;
function busy(on, text) {
  busyCount += on ? 1 : -1;
  $('busy').hidden = busyCount <= 0;
  if (text) $('busy-text').textContent = text;
}

function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

// Sends a request; resolves with the response (a Blob, or parsed JSON when
// asked), rejects with the server's message in its own words.
function send(method, url, form, want) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    if (token) xhr.setRequestHeader('X-Token', token);
    xhr.setRequestHeader('X-Budget-Tables-Key', pageKey);
    xhr.responseType = 'blob';
    const bar = $('busy-bar');
    bar.removeAttribute('value');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.loaded < e.total) { bar.max = e.total; bar.value = e.loaded; $('busy-text').textContent = '正在上传……'; }
      else { bar.removeAttribute('value'); $('busy-text').textContent = '正在处理……'; }
    };
    xhr.upload.onload = () => { bar.removeAttribute('value'); $('busy-text').textContent = '正在处理……'; };
    xhr.onerror = () => reject(new Error('无法连接到本机的 budget-tables 服务；请确认它仍在运行'));
    xhr.onload = async () => {
      const blob = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300) {
        if (want === 'json') {
          try { resolve(JSON.parse(await blob.text())); } catch (e) { reject(new Error('服务返回的内容无法解析')); }
        } else {
          resolve({ blob, name: fileName(xhr.getResponseHeader('Content-Disposition')) });
        }
        return;
      }
      let message = '请求失败（HTTP ' + xhr.status + '）';
      let findings = null;
      try { const j = JSON.parse(await blob.text()); message = j.error || message; findings = j.findings || null; } catch (e) { /* not JSON */ }
      const err = new Error(message);
      err.findings = findings;
      reject(err);
    };
    xhr.send(form);
  });
}

function fileName(disposition) {
  if (!disposition) return '下载';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/i.exec(disposition);
  return plain ? plain[1] : '下载';
}

function save({ blob, name }) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function task(text, fn) {
  showError('');
  busy(true, text);
  try { return await fn(); } catch (e) {
    let message = e.message;
    if (e.findings && e.findings.length) {
      message += '\n' + e.findings.slice(0, 20).map(describe).join('\n');
      if (e.findings.length > 20) message += '\n……另有 ' + (e.findings.length - 20) + ' 处';
    }
    showError(message);
    return null;
  } finally { busy(false); }
}

function formWith(fields) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v, v.name);
  return f;
}

// ---- tabs and drop zones -------------------------------------------------

for (const b of document.querySelectorAll('nav .tab')) {
  b.addEventListener('click', () => {
    for (const o of document.querySelectorAll('nav .tab')) o.classList.toggle('active', o === b);
    for (const p of document.querySelectorAll('.panel')) p.hidden = p.id !== 'tab-' + b.dataset.tab;
    showError('');
  });
}

function dropZone(label, input, onFiles) {
  input.addEventListener('change', () => { if (input.files.length) onFiles([...input.files]); input.value = ''; });
  label.addEventListener('dragover', (e) => { e.preventDefault(); label.classList.add('over'); });
  label.addEventListener('dragleave', () => label.classList.remove('over'));
  label.addEventListener('drop', (e) => {
    e.preventDefault();
    label.classList.remove('over');
    if (e.dataTransfer.files.length) onFiles([...e.dataTransfer.files]);
  });
}

// ---- one workbook --------------------------------------------------------

let current = null; // the File checked last
let lastLayout = null; // its layout, the template tab's choice
// The JSON's severities as the command line prints them.
const SEVERITY = { error: '错误', warning: '警告', notice: '提示' };
const sev = (d) => SEVERITY[d.severity] || d.severity;
let findings = [];

// Where a finding is: the page of a PDF, else the sheet and cell.
function place(d) {
  if (d.page) return '第' + d.page + '页';
  if (d.sheet && d.cell) return "'" + d.sheet + "'!" + d.cell;
  return d.cell || '';
}

function describe(d) {
  const parts = [sev(d) + ' [' + d.rule + ']'];
  if (d.table) parts.push(d.table);
  if (place(d)) parts.push(place(d));
  parts.push(d.message);
  return parts.join(' ');
}

function findingBlock(d, i) {
  const vals = [];
  if (d.expected != null) vals.push('应为：' + d.expected);
  if (d.actual != null) vals.push('实际：' + d.actual);
  if (d.difference != null) vals.push('差额：' + d.difference);
  if (d.suspect) vals.push('最可能有误：' + d.suspect);
  const where = [place(d), d.row_label, d.column_label].filter(Boolean).join(' | ');
  const box = el('div', { class: 'finding ' + sev(d), 'data-index': String(i) },
    el('span', { class: 'sev', text: sev(d) }),
    el('span', { class: 'rule', text: d.rule }),
    where ? el('span', { class: 'where', text: where }) : null,
    el('div', { text: d.message }),
    vals.length ? el('div', { class: 'vals', text: vals.join('；') }) : null,
    d.hint ? el('div', { class: 'vals', text: '修改建议：' + d.hint }) : null);
  box.addEventListener('click', () => showFinding(i));
  return box;
}

// The optional files beside the workbook: last year's and a written 说明.
const extras = { prior: null, narrative: null };
const withExtras = (fields) => {
  if (extras.prior) fields.prior = extras.prior;
  if (extras.narrative) fields.narrative = extras.narrative;
  return fields;
};

async function checkFile(file) {
  const result = await task('正在检查 ' + file.name + '……', () => send('POST', 'api/check?preview=1', formWith(withExtras({ file })), 'json'));
  if (!result) return;
  current = file;
  lastLayout = result.layout.id;
  if ([...$('tpl-layout').options].some((o) => o.value === lastLayout)) $('tpl-layout').value = lastLayout;
  const c = result.check;
  findings = c.findings;
  const s = $('check-summary');
  s.replaceChildren(
    el('span', { text: file.name + '：' + result.layout.name + '，' + c.department + '，' + c.year + ' 年。' }),
    c.errors + c.warnings + c.notices === 0
      ? el('span', { class: 'ok', id: 'findings-count', text: '检查通过，未发现问题。' })
      : el('span', { class: c.errors ? 'bad' : 'ok', id: 'findings-count', text: countsText(c) }));
  if (c.narrative) s.append(el('div', { text: '说明：' + c.narrative.sentences + ' 句，核对 ' + c.narrative.checked + ' 处，发现问题 ' + c.narrative.flagged + ' 处，未核对 ' + c.narrative.unchecked + ' 处。' }));
  tables = result.preview.tables;
  renderFindings();
  renderPreview(result.preview);
  $('check-result').hidden = false;
}

// The counts, the 说明's apart when it has findings (they block only the publication document).
function countsText(c) {
  const all = c.errors + ' 个错误，' + c.warnings + ' 个警告，' + c.notices + ' 个提示';
  const t = c.text_findings;
  if (!t || t.errors + t.warnings + t.notices === 0) return all + '。';
  return all + '（其中说明：' + t.errors + ' 个错误，' + t.warnings + ' 个警告，' + t.notices + ' 个提示）。';
}

function renderFindings() {
  const box = $('findings');
  box.replaceChildren();
  if (!findings.length) { box.append(el('p', { text: '未发现问题。' })); return; }
  const groups = new Map();
  findings.forEach((d, i) => {
    const key = d.table || '工作簿';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push([d, i]);
  });
  const rank = { '错误': 0, '警告': 1, '提示': 2 };
  // Tables in the order the workbook prints them; findings of the whole workbook first.
  const order = (name) => (name === '工作簿' ? -1 : tables.findIndex((t) => t.name === name));
  const sorted = [...groups].sort((a, b) => order(a[0]) - order(b[0]));
  for (const [table, list] of sorted) {
    list.sort((a, b) => rank[sev(a[0])] - rank[sev(b[0])]);
    box.append(el('h3', { text: table + '（' + list.length + '）' }));
    for (const [d, i] of list) box.append(findingBlock(d, i));
  }
}

let tables = [];
function worst(indices) {
  let w = null;
  for (const i of indices) {
    const s = sev(findings[i]);
    if (s === '错误' || (s === '警告' && w !== '错误') || w === null) w = s;
  }
  return w;
}

function renderPreview(preview) {
  tables = preview.tables;
  const tabs = $('preview-tabs');
  tabs.replaceChildren();
  tables.forEach((t, n) => {
    const all = t.findings.concat(...t.rows.flat().map((c) => c.findings || []));
    const b = el('button', { type: 'button', text: t.name });
    // Errors and warnings mark a table; notices (what was not checked) do not.
    const w = worst(all);
    if (w === '错误') b.classList.add('flagged-error'); else if (w === '警告') b.classList.add('flagged');
    b.addEventListener('click', () => showTable(n));
    tabs.append(b);
  });
  showTable(0);
}

function showTable(n) {
  const t = tables[n];
  if (!t) return;
  [...$('preview-tabs').children].forEach((b, i) => b.classList.toggle('active', i === n));
  $('cell-findings').hidden = true;
  const table = el('table', { class: 'sheet', 'data-table': t.name });
  for (const row of t.rows) {
    const tr = el('tr');
    for (const c of row) {
      const td = el('td', { class: c.kind + (c.text === '' && c.kind === 'title' ? ' empty' : ''), text: c.text });
      if (c.rowspan) td.rowSpan = c.rowspan;
      if (c.colspan) td.colSpan = c.colspan;
      if (c.findings && c.findings.length) {
        td.classList.add('flag-' + worst(c.findings));
        td.title = c.findings.map((i) => describe(findings[i])).join('\n');
        td.dataset.findings = c.findings.join(',');
        td.addEventListener('click', () => showCell(td, c.findings));
      }
      tr.append(td);
    }
    table.append(tr);
  }
  const notes = el('div', { class: 'table-findings' });
  for (const i of t.findings) notes.append(findingBlock(findings[i], i));
  $('preview').replaceChildren(notes, table);
}

function showCell(td, indices) {
  for (const s of document.querySelectorAll('td.selected')) s.classList.remove('selected');
  td.classList.add('selected');
  const box = $('cell-findings');
  box.replaceChildren(...indices.map((i) => findingBlock(findings[i], i)));
  box.hidden = false;
}

function showFinding(i) {
  const n = tables.findIndex((t) => t.findings.includes(i) || t.rows.some((r) => r.some((c) => (c.findings || []).includes(i))));
  if (n < 0) return;
  showTable(n);
  const td = [...document.querySelectorAll('#preview td[data-findings]')].find((x) => x.dataset.findings.split(',').includes(String(i)));
  if (td) { showCell(td, td.dataset.findings.split(',').map(Number)); td.scrollIntoView({ block: 'center', inline: 'center' }); }
}

async function download(url, text, fields) {
  if (!current) return;
  const r = await task(text, () => send('POST', url, formWith(Object.assign({ file: current }, fields || {}))));
  if (r) save(r);
}

for (const [which, id] of [['prior', 'check-prior'], ['narrative', 'check-text']]) {
  const input = $('file-' + id);
  dropZone(input.parentElement, input, (files) => {
    extras[which] = files[0];
    $('name-' + id).textContent = files[0].name;
    // Checked again with the file just given.
    if (current) checkFile(current);
  });
}

dropZone($('drop-check'), $('file-check'), (files) => {
  const f = files[0];
  // A 说明 dropped where the workbook goes is taken as the 说明.
  if (/\.(docx|txt|md)$/i.test(f.name)) {
    extras.narrative = f;
    $('name-check-text').textContent = f.name;
    if (current) checkFile(current);
    else showError('这是说明文件（' + f.name + '），已放在“说明”处；请再拖入填报工作簿一起核对。');
    return;
  }
  checkFile(f);
});
// Official tables and the publication are refused while the input has errors, as on the command line.
$('dl-official').addEventListener('click', () => download('api/convert?to=xlsx', '正在生成公开报表……'));
$('dl-publish-pdf').addEventListener('click', () => download('api/publish?form=pdf', '正在生成公开文件（PDF）……'));
$('dl-publish-docx').addEventListener('click', () => download('api/publish?form=docx', '正在生成公开文件（Word）……'));
$('dl-narrate').addEventListener('click', () => download('api/narrate', '正在起草说明……', extras.prior ? { prior: extras.prior } : {}));
$('dl-json').addEventListener('click', () => download('api/convert?to=json&allow_errors=1', '正在生成规范 JSON……'));
$('dl-annotated').addEventListener('click', () => download('api/annotate', '正在生成标注副本……'));

// ---- two years -----------------------------------------------------------

// A decimal string with thousands separators ("-24701.58" → "-24,701.58"),
// by its digits: figures are never turned into floating point.
function grouped(v) {
  if (v == null || v === '') return '';
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(v));
  if (!m) return String(v);
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}
const rate = (r) => (r == null ? '' : /^-?[\d.]+$/.test(r) ? r + '%' : r);

const pair = { prior: null, current: null };
for (const which of ['prior', 'current']) {
  const input = $('file-' + which);
  dropZone(input.parentElement, input, (files) => { pair[which] = files[0]; $('name-' + which).textContent = files[0].name; });
}

function diffForm() {
  if (!pair.prior || !pair.current) { showError('请先选择上年文件和本年文件'); return null; }
  return formWith({ prior: pair.prior, current: pair.current });
}

$('run-diff').addEventListener('click', async () => {
  const form = diffForm();
  if (!form) return;
  const allow = $('diff-allow').checked ? '&allow_errors=1' : '';
  const d = await task('正在对比……', () => send('POST', 'api/diff?to=json' + allow, form, 'json'));
  if (!d) return;
  $('diff-summary').textContent = d.department + '：' + d.prior_year + ' 年 → ' + d.year + ' 年';
  const head = el('tr', {}, ...['项目', d.prior_year + ' 年', d.year + ' 年', '增减额', '增减率'].map((h) => el('th', { text: h })));
  const rows = d.headlines.map((h) => {
    const cls = h.change && h.change.startsWith('-') ? 'num down' : (h.change && h.change !== '0' && h.change !== '0.00' ? 'num up' : 'num');
    return el('tr', {}, el('td', { text: h.label }), el('td', { class: 'num', text: grouped(h.prior) }), el('td', { class: 'num', text: grouped(h.current) }),
      el('td', { class: cls, text: grouped(h.change) }), el('td', { class: cls, text: rate(h.rate) }));
  });
  $('diff-headlines').replaceChildren(head, ...rows);
  $('diff-sentences').replaceChildren(...d.headlines.filter((h) => h.sentence).map((h) => el('li', { text: h.sentence })));
  const checks = $('diff-checks');
  checks.replaceChildren();
  if (!d.year_checks.length) checks.append(el('p', { text: '此版式没有跨年度核对。' }));
  for (const c of d.year_checks) {
    const bad = d.consistency.filter((m) => m.check === c.id);
    checks.append(el('p', { class: bad.length ? 'bad' : 'ok', text: (bad.length ? '不一致 ' + bad.length + ' 处：' : '一致：') + c.description }));
  }
  for (const m of d.consistency) {
    checks.append(el('p', { class: 'bad', text: m.check + '：' + [m.unit, m.column].filter(Boolean).join(' ') + '，本年所列上年数 ' + grouped(m.stated) + '，上年公开数 ' + grouped(m.published) }));
  }
  $('diff-result').hidden = false;
});

$('dl-diff').addEventListener('click', async () => {
  const form = diffForm();
  if (!form) return;
  const allow = $('diff-allow').checked ? '&allow_errors=1' : '';
  const r = await task('正在生成对比工作簿……', () => send('POST', 'api/diff?to=xlsx' + allow, form));
  if (r) save(r);
});

// ---- many departments ----------------------------------------------------

let batchId = null;
async function runBatch(files) {
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  const r = await task('正在批量处理 ' + files.length + ' 个文件……', () => send('POST', 'api/batch', form, 'json'));
  if (!r) return;
  batchId = r.id;
  const entries = r.summary.entries;
  const labels = [];
  for (const e of entries) for (const k of Object.keys(e.figures || {})) if (!labels.includes(k)) labels.push(k);
  const count = (s) => entries.filter((e) => e.status === s).length;
  const summary = $('batch-summary');
  summary.textContent = '共 ' + entries.length + ' 个输入：通过 ' + count('通过') + '，有警告 ' + count('有警告') + '，有错误 ' + count('有错误') + '，说明有错误 ' + count('说明有错误') + '，无法读取 ' + count('无法读取') + '。汇总：';
  for (const path of r.summary.rollups || []) {
    const a = el('a', { class: 'link', text: path });
    a.addEventListener('click', async () => {
      const got = await task('正在下载……', () => send('GET', 'api/batch/' + batchId + '/file?path=' + encodeURIComponent(path)));
      if (got) save(got);
    });
    summary.append(a, ' ');
  }
  const head = el('tr', {}, ...['文件', '部门', '年度', '状态', '错误', '警告', '提示', ...labels, '下载'].map((h) => el('th', { text: h })));
  const rows = entries.map((e) => {
    const links = el('td');
    for (const [label, path] of e.outputs || []) {
      const a = el('a', { class: 'link', text: label });
      a.addEventListener('click', async () => {
        const got = await task('正在下载……', () => send('GET', 'api/batch/' + batchId + '/file?path=' + encodeURIComponent(path)));
        if (got) save(got);
      });
      links.append(a, ' ');
    }
    return el('tr', {}, el('td', { text: e.file }), el('td', { text: e.department || '' }), el('td', { text: e.year ?? '' }),
      el('td', { class: e.status === '有错误' || e.status === '说明有错误' || e.status === '无法读取' ? 'bad' : '', text: e.status + (e.message ? '：' + e.message : '') }),
      el('td', { class: 'num', text: String(e.errors) }), el('td', { class: 'num', text: String(e.warnings) }), el('td', { class: 'num', text: String(e.notices) }),
      ...labels.map((k) => el('td', { class: 'num', text: grouped((e.figures || {})[k]) })), links);
  });
  $('batch-table').replaceChildren(head, ...rows);
  $('batch-result').hidden = false;
}
dropZone($('drop-batch'), $('file-batch'), runBatch);
$('dl-batch').addEventListener('click', async () => {
  if (!batchId) return;
  const r = await task('正在打包……', () => send('GET', 'api/batch/' + batchId + '/all.zip'));
  if (r) save(r);
});

// ---- blank template ------------------------------------------------------

(async () => {
  const list = await task('正在读取版式……', () => send('GET', 'api/layouts', null, 'json'));
  if (!list) return;
  // A bureau's own layout (user folder, BUDGET_TABLES_LAYOUTS, --templates) is marked as such.
  const where = (l) => (l.origin === '内置' ? '' : '，本机版式');
  $('tpl-layout').replaceChildren(...list.map((l) => el('option', { value: l.id, text: l.name + '（' + l.region + where(l) + '）' })));
  // The layout of the workbook checked last, else the default one (not the first by name).
  const chosen = list.find((l) => l.id === lastLayout) || list.find((l) => l.default);
  if (chosen) $('tpl-layout').value = chosen.id;
  $('tpl-year').value = new Date().getFullYear() + 1;
})();

$('template-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = new URLSearchParams({ layout: $('tpl-layout').value, department: $('tpl-department').value, year: $('tpl-year').value });
  const r = await task('正在生成模板……', () => send('GET', 'api/template?' + q, null));
  if (r) save(r);
});
