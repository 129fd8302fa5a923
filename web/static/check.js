/*
 * check.js - the check page (/check?kind=...&value=...&lang=...): is an
 * account number, phone number or site known from reports?  Asks
 * GET /v1/check and shows only what the server says may be shown; a
 * "no reports" answer keeps the server's warning that this is no proof.
 */
'use strict';

(function () {
  var S = window.Signaal;
  var form = S.$('check-form');
  var kindSel = S.$('check-kind');
  var valueIn = S.$('check-value');
  var shown = null; /* {kind, value} of the answer on screen */
  var requestNo = 0;

  var params = new URLSearchParams(window.location.search);
  var qLang = params.get('lang');
  if ((qLang === 'nl' || qLang === 'en') && qLang !== S.lang) S.setLang(qLang);

  function fillKinds() {
    var keep = kindSel.value || 'iban';
    S.clear(kindSel);
    S.KINDS.forEach(function (k) {
      kindSel.appendChild(S.el('option', { value: k, text: S.t('kind_' + k) }));
    });
    kindSel.value = keep;
  }

  /*
   * The value stays out of the address bar and so out of history and
   * referrers: only the kind and the language are kept.
   */
  function updateUrl() {
    var q = new URLSearchParams();
    q.set('kind', kindSel.value);
    q.set('lang', S.lang);
    try {
      window.history.replaceState(null, '', window.location.pathname + '?' + q.toString());
    } catch (e) { /* ignore */ }
  }

  function render(d) {
    var listed = d.listed === true;
    var result = S.$('check-result');
    result.classList.toggle('check-result--listed', listed);
    S.$('check-heading').textContent = S.t(listed ? 'checkListed' : 'checkNotListed');
    S.$('check-canonical').textContent = S.t('checkCanonical', { value: String(d.canonical || '') });
    var adv = S.$('check-advice');
    if (listed) {
      S.$('check-text').textContent = S.t('checkListedText', {
        reports: Number(d.reports) || 0,
        first: S.formatDate(d.first_reported, false),
        last: S.formatDate(d.last_reported, false)
      });
      S.renderAdvice(adv, d.advice, 3);
      adv.hidden = false;
    } else {
      S.$('check-text').textContent = String(d.message || '');
      S.clear(adv);
      adv.hidden = true;
    }
    result.hidden = false;
  }

  function load(want, moveFocus) {
    var q = 'kind=' + encodeURIComponent(want.kind) + '&value=' + encodeURIComponent(want.value) +
      '&lang=' + encodeURIComponent(S.lang);
    var my = ++requestNo;
    S.$('check-status').textContent = S.t('loading');
    S.api('GET', '/v1/check?' + q).then(function (res) {
      if (my !== requestNo) return;
      S.$('check-status').textContent = '';
      if (!res.ok || !res.data || typeof res.data !== 'object') {
        S.$('check-result').hidden = true;
        shown = null;
        var errs = S.problemErrors(res);
        S.showErrors(errs.length ? errs.map(function (e) {
          return { id: e.field === 'kind' ? 'check-kind' : 'check-value', message: e.message };
        }) : [{ id: null, message: S.problemText(res) }]);
        return;
      }
      S.clearErrors();
      shown = want;
      render(res.data);
      if (moveFocus) S.focus(S.$('check-heading'));
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var v = valueIn.value.trim();
    if (!v) {
      S.showErrors([{ id: 'check-value', message: S.t('errCheckValue') }]);
      return;
    }
    updateUrl();
    load({ kind: kindSel.value, value: v }, true);
  });

  kindSel.addEventListener('change', updateUrl);

  document.addEventListener('signaal:lang', function () {
    fillKinds();
    updateUrl();
    if (shown) load(shown, false);
  });

  fillKinds();
  var k = params.get('kind');
  if (k && S.KINDS.indexOf(k) >= 0) kindSel.value = k;
  updateUrl();
})();
