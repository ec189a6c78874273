// The custom resources the chart renders (the Prometheus Operator's, cert-manager's), which kubernetes-models has no classes for:
// their metadata is held to the real ObjectMeta schema (as a ConfigMap's, which has nothing else required), their
// spec to what the operator's CRDs require and constrain. The rules inside a PrometheusRule are, besides, checked
// by promtool itself (test/helm/monitoring.test.ts).
import { URL } from 'node:url';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';

// The patterns and enums of monitoring.coreos.com_servicemonitors.yaml and _prometheusrules.yaml.
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RELABEL_ACTIONS = new Set(
  [
    'Replace',
    'Keep',
    'Drop',
    'HashMod',
    'LabelMap',
    'LabelDrop',
    'LabelKeep',
    'Lowercase',
    'Uppercase',
    'KeepEqual',
    'DropEqual',
  ].flatMap((action) => [action, action.toLowerCase()]),
);

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isStringMap = (value) => isObject(value) && Object.values(value).every((item) => typeof item === 'string');

/** Problems of a ServiceMonitor's spec, as strings naming the field. */
function serviceMonitorProblems(spec) {
  const problems = [];
  if (!isObject(spec.selector)) problems.push('spec.selector: required');
  else if (spec.selector.matchLabels !== undefined && !isStringMap(spec.selector.matchLabels)) {
    problems.push('spec.selector.matchLabels: must map strings to strings');
  }
  if (spec.namespaceSelector?.matchNames?.some((name) => typeof name !== 'string')) {
    problems.push('spec.namespaceSelector.matchNames: must be strings');
  }
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) problems.push('spec.endpoints: required');
  (spec.endpoints ?? []).forEach((endpoint, index) => {
    const at = `spec.endpoints[${index}]`;
    if (typeof endpoint.port !== 'string' && endpoint.targetPort === undefined) problems.push(`${at}: no port`);
    for (const field of ['interval', 'scrapeTimeout']) {
      if (endpoint[field] !== undefined && !DURATION.test(endpoint[field]))
        problems.push(`${at}.${field}: bad duration`);
    }
    (endpoint.relabelings ?? []).forEach((relabeling, rule) => {
      if (relabeling.action !== undefined && !RELABEL_ACTIONS.has(relabeling.action)) {
        problems.push(`${at}.relabelings[${rule}].action: unknown ${relabeling.action}`);
      }
      if ((relabeling.sourceLabels ?? []).some((label) => !LABEL_NAME.test(label))) {
        problems.push(`${at}.relabelings[${rule}].sourceLabels: not label names`);
      }
    });
  });
  return problems;
}

/** Problems of a PrometheusRule's spec: groups with unique names, rules that alert or record, never both. */
function prometheusRuleProblems(spec) {
  const problems = [];
  if (!Array.isArray(spec.groups) || spec.groups.length === 0) return ['spec.groups: required'];
  const names = spec.groups.map((group) => group.name);
  if (new Set(names).size !== names.length) problems.push('spec.groups: names must be unique');
  spec.groups.forEach((group, index) => {
    const at = `spec.groups[${index}]`;
    if (typeof group.name !== 'string' || group.name === '') problems.push(`${at}.name: required`);
    if (group.interval !== undefined && !DURATION.test(group.interval)) problems.push(`${at}.interval: bad duration`);
    (group.rules ?? []).forEach((rule, position) => {
      const ruleAt = `${at}.rules[${position}]`;
      if (typeof rule.expr !== 'string' || rule.expr.trim() === '') problems.push(`${ruleAt}.expr: required`);
      if ((rule.alert === undefined) === (rule.record === undefined)) {
        problems.push(`${ruleAt}: exactly one of alert and record`);
      }
      if (rule.for !== undefined && !DURATION.test(rule.for)) problems.push(`${ruleAt}.for: bad duration`);
      for (const field of ['labels', 'annotations']) {
        if (rule[field] !== undefined && !isStringMap(rule[field])) problems.push(`${ruleAt}.${field}: strings only`);
      }
    });
  });
  return problems;
}

// The enums and patterns of cert-manager.io_certificates.yaml (cert-manager v1).
const KEY_USAGES = new Set([
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
]);
const PRIVATE_KEY_ALGORITHMS = new Set(['RSA', 'ECDSA', 'Ed25519']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const isStringList = (value) => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Problems of a Certificate's spec: a Secret and an issuer to ask, valid names and usages. */
function certificateProblems(spec) {
  const problems = [];
  if (typeof spec.secretName !== 'string' || !DNS_SUBDOMAIN.test(spec.secretName)) {
    problems.push('spec.secretName: required, a DNS subdomain');
  }
  if (!isObject(spec.issuerRef) || typeof spec.issuerRef.name !== 'string' || spec.issuerRef.name === '') {
    problems.push('spec.issuerRef.name: required');
  }
  for (const field of ['dnsNames', 'uris', 'ipAddresses', 'emailAddresses', 'usages']) {
    if (spec[field] !== undefined && !isStringList(spec[field])) problems.push(`spec.${field}: must be strings`);
  }
  if (![spec.commonName, spec.dnsNames, spec.uris, spec.ipAddresses].some((names) => names?.length)) {
    problems.push('spec: at least one of commonName, dnsNames, uris, ipAddresses');
  }
  (spec.uris ?? []).forEach((uri, index) => {
    if (!URL.canParse(uri)) problems.push(`spec.uris[${index}]: not a URI`);
  });
  (spec.usages ?? []).forEach((usage, index) => {
    if (!KEY_USAGES.has(usage)) problems.push(`spec.usages[${index}]: unknown ${usage}`);
  });
  if (spec.privateKey?.algorithm !== undefined && !PRIVATE_KEY_ALGORITHMS.has(spec.privateKey.algorithm)) {
    problems.push(`spec.privateKey.algorithm: unknown ${spec.privateKey.algorithm}`);
  }
  if (spec.privateKey?.rotationPolicy !== undefined && !['Never', 'Always'].includes(spec.privateKey.rotationPolicy)) {
    problems.push(`spec.privateKey.rotationPolicy: unknown ${spec.privateKey.rotationPolicy}`);
  }
  return problems;
}

const SPEC_CHECKS = {
  'cert-manager.io/v1 Certificate': certificateProblems,
  'monitoring.coreos.com/v1 ServiceMonitor': serviceMonitorProblems,
  'monitoring.coreos.com/v1 PrometheusRule': prometheusRuleProblems,
};

/**
 * Throws what is wrong with `object`, a custom resource of a kind this file knows; returns false for any other
 * kind (the caller reports that no schema was found).
 */
export function validateCustomResource(object) {
  const specProblems = SPEC_CHECKS[`${object.apiVersion} ${object.kind}`];
  if (!specProblems) return false;
  new ConfigMap({ metadata: object.metadata }).validate();
  const problems = isObject(object.spec) ? specProblems(object.spec) : ['spec: required'];
  if (problems.length > 0) throw new Error(problems.join('; '));
  return true;
}
