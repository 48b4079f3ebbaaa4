#!/usr/bin/env node
// Checks the AWS CloudFormation template content/aws/gd2sentinel.yaml without deploying it:
//   a. lint: references, conditions, DependsOn, resource types and their required properties, and no
//      dependency cycle (CloudFormation rejects all of these only when the stack is created);
//   b. least privilege: the gd2sentinel role may do exactly what `gd2sentinel aws-policy` prints, in
//      each DeliveryMode (s3-listing: all but the sqs: actions), each action on the resource and
//      with the conditions the binary names; Resource "*" only where the binary prints it (an
//      action IAM offers no resource for, such as guardduty:ListDetectors);
//   c. wiring: export bucket -> notification -> queue -> dead-letter queue, the EventBridge rule, the
//      publishing destination, the key, bucket and queue policies, the trust policy and the outputs.
// Then it breaks in-memory copies of the template and asserts that the checks notice, so that they
// cannot pass vacuously.
//
//   GD2SENTINEL_BIN=build/dev/src/gd2sentinel node content/tests/aws-template.mjs
//   (without GD2SENTINEL_BIN, build/dev/src/gd2sentinel of the repository is used; another template
//   may be given as the first argument)
//
// Prints PASS/FAIL per check and ends with "aws-template: N checks passed[, M failed]"; exits 1 on
// any failure.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';

const TESTS = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(TESTS, '..', '..');
const TEMPLATE = process.argv[2] ? path.resolve(process.argv[2]) : path.join(ROOT, 'content', 'aws', 'gd2sentinel.yaml');
const CONFIG_DOC = path.join(ROOT, 'docs', 'configuration.md');
const rel = (f) => path.relative(ROOT, f);

let passed = 0;
let failed = 0;
function check(name, errors) {
  const list = (Array.isArray(errors) ? errors : [errors]).filter(Boolean);
  if (list.length === 0) passed += 1; else failed += 1;
  console.log(`${list.length ? 'FAIL' : 'PASS'} ${name}`);
  for (const e of list) console.log(`       ${e}`);
}
function finish() {
  console.log(`aws-template: ${passed} checks passed${failed ? `, ${failed} failed` : ''}`);
  process.exit(failed ? 1 : 0);
}
const clone = (x) => structuredClone(x);
const show = (x) => JSON.stringify(x);

// ---- YAML with CloudFormation's short-form intrinsics --------------------------------------------
const SHORT_FORMS = {
  Base64: 'Fn::Base64', Cidr: 'Fn::Cidr', FindInMap: 'Fn::FindInMap', GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue', Join: 'Fn::Join', Select: 'Fn::Select', Split: 'Fn::Split',
  Sub: 'Fn::Sub', If: 'Fn::If', Equals: 'Fn::Equals', Not: 'Fn::Not', And: 'Fn::And', Or: 'Fn::Or',
  GetAtt: 'Fn::GetAtt',
};
function cfnTags() {
  const tags = [
    { tag: '!Ref', resolve: (s) => ({ Ref: s }) },
    { tag: '!Condition', resolve: (s) => ({ Condition: s }) },
    // !GetAtt Resource.Attribute (the attribute itself may contain dots: Outputs.X).
    { tag: '!GetAtt', resolve: (s) => { const i = s.indexOf('.'); return { 'Fn::GetAtt': i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)] }; } },
  ];
  for (const [short, long] of Object.entries(SHORT_FORMS)) {
    if (short !== 'GetAtt') tags.push({ tag: `!${short}`, resolve: (s) => ({ [long]: s }) });
    tags.push({ tag: `!${short}`, collection: 'seq', resolve: (seq) => ({ [long]: seq.toJSON() }) });
    tags.push({ tag: `!${short}`, collection: 'map', resolve: (map) => ({ [long]: map.toJSON() }) });
  }
  return tags;
}
function loadTemplate(file) {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'), { customTags: cfnTags(), uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => `YAML: ${e.message.split('\n')[0]}`);
  return { template: problems.length ? null : doc.toJS(), problems };
}

// ---- CloudFormation facts ------------------------------------------------------------------------
const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
// Required properties, from the CloudFormation template reference (and the CDK L1 props generated
// from the same resource specification). AWS::KMS::Key's KeyPolicy used to be required and is optional
// now; AWS::Events::Rule requires nothing, but each of its Targets needs Arn and Id.
const RESOURCE_TYPES = {
  'AWS::KMS::Key': { required: [], attributes: ['Arn', 'KeyId'] },
  'AWS::KMS::Alias': { required: ['AliasName', 'TargetKeyId'], attributes: [] },
  'AWS::S3::Bucket': { required: [], attributes: ['Arn', 'DomainName', 'DualStackDomainName', 'RegionalDomainName', 'WebsiteURL', 'MetadataTableConfiguration.S3TablesDestination.TableArn', 'MetadataTableConfiguration.S3TablesDestination.TableNamespace'] },
  'AWS::S3::BucketPolicy': { required: ['Bucket', 'PolicyDocument'], attributes: [] },
  'AWS::GuardDuty::PublishingDestination': { required: ['DestinationProperties', 'DestinationType', 'DetectorId'], attributes: ['Id', 'PublishingFailureStartTimestamp', 'Status'] },
  'AWS::SQS::Queue': { required: [], attributes: ['Arn', 'QueueName', 'QueueUrl'] },
  'AWS::SQS::QueuePolicy': { required: ['PolicyDocument', 'Queues'], attributes: ['Id'] },
  'AWS::Events::Rule': { required: [], attributes: ['Arn'] },
  'AWS::IAM::Role': { required: ['AssumeRolePolicyDocument'], attributes: ['Arn', 'RoleId'] },
  'AWS::IAM::Policy': { required: ['PolicyDocument', 'PolicyName'], attributes: ['Id'] },
  'AWS::IAM::RolePolicy': { required: ['PolicyDocument', 'PolicyName', 'RoleName'], attributes: [] },
  'AWS::IAM::ManagedPolicy': { required: ['PolicyDocument'], attributes: ['PolicyArn'] },
  'AWS::IAM::InstanceProfile': { required: ['Roles'], attributes: ['Arn'] },
};
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'Metadata', 'DeletionPolicy',
  'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy']);

// ---- references --------------------------------------------------------------------------------
const singleKey = (n) => n && typeof n === 'object' && !Array.isArray(n) && Object.keys(n).length === 1;
// ${Name}, ${Resource.Attribute}; ${!Literal} is no reference.
function subNames(text) {
  const names = [];
  for (const m of String(text).matchAll(/\$\{([^}]*)\}/g)) if (!m[1].startsWith('!')) names.push(m[1].trim());
  return names;
}
// Every Ref / GetAtt / Sub name and Fn::If / Condition name under node, each with the conditions known
// to be true where it sits (the resource's own Condition and the Fn::If branches taken to reach it).
function scan(node, where, guards = new Set(), out = { refs: [], conds: [] }) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => scan(v, `${where}[${i}]`, guards, out));
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  if (singleKey(node)) {
    const [k] = Object.keys(node);
    const v = node[k];
    if (k === 'Ref' && typeof v === 'string') { out.refs.push({ name: v, where, guards }); return out; }
    if (k === 'Fn::GetAtt') {
      const [res, attr] = Array.isArray(v) ? v : String(v).split(/\.(.*)/s);
      out.refs.push({ name: res, attr: typeof attr === 'string' ? attr : undefined, getatt: true, where, guards });
      if (typeof attr === 'object') scan(attr, where, guards, out);
      return out;
    }
    if (k === 'Fn::Sub') {
      const [text, vars] = Array.isArray(v) ? v : [v, {}];
      for (const [name, value] of Object.entries(vars || {})) scan(value, `${where}{${name}}`, guards, out);
      for (const name of subNames(text)) {
        if (vars && Object.hasOwn(vars, name)) continue;
        const dot = name.indexOf('.');
        if (dot > 0 && !name.startsWith('AWS::')) out.refs.push({ name: name.slice(0, dot), attr: name.slice(dot + 1), getatt: true, sub: true, where, guards });
        else out.refs.push({ name, sub: true, where, guards });
      }
      return out;
    }
    if (k === 'Fn::If' && Array.isArray(v) && v.length === 3) {
      out.conds.push({ name: v[0], where });
      scan(v[1], `${where}<${v[0]}>`, new Set([...guards, v[0]]), out);
      scan(v[2], `${where}<!${v[0]}>`, guards, out);
      return out;
    }
    if (k === 'Condition' && typeof v === 'string') { out.conds.push({ name: v, where }); return out; }
  }
  for (const [k, v] of Object.entries(node)) scan(v, `${where}.${k}`, guards, out);
  return out;
}
const dependsOnList = (res) => (res.DependsOn === undefined ? [] : [].concat(res.DependsOn));

// Resource -> resources it needs first (Ref / GetAtt / Sub anywhere in it, DependsOn).
function dependencyGraph(t) {
  const resources = t.Resources || {};
  const graph = new Map();
  for (const [name, res] of Object.entries(resources)) {
    const deps = new Set();
    for (const r of scan({ Properties: res.Properties, Metadata: res.Metadata }, name).refs) if (Object.hasOwn(resources, r.name)) deps.add(r.name);
    for (const d of dependsOnList(res)) if (Object.hasOwn(resources, d)) deps.add(d);
    graph.set(name, deps);
  }
  return graph;
}
function findCycles(graph) {
  const state = new Map();
  const stack = [];
  const cycles = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) || []) {
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
      else if (!state.get(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.get(n)) visit(n);
  return cycles;
}

// ---- a. structural lint ------------------------------------------------------------------------
function lint(t) {
  const errors = [];
  const params = t.Parameters || {};
  const resources = t.Resources || {};
  const conditions = t.Conditions || {};
  if (t.AWSTemplateFormatVersion !== '2010-09-09') errors.push(`AWSTemplateFormatVersion is ${show(t.AWSTemplateFormatVersion)}, not "2010-09-09"`);
  if (!Object.keys(resources).length) errors.push('no Resources');
  const declared = (n) => Object.hasOwn(params, n) || Object.hasOwn(resources, n) || PSEUDO.has(n);
  const used = new Set();
  const checkConds = (conds) => {
    for (const c of conds) if (!Object.hasOwn(conditions, c.name)) errors.push(`${c.where}: condition ${show(c.name)} is not declared`);
  };
  // A reference to a resource that may not exist must sit where its condition holds.
  const checkRefs = (refs, { onlyParams = false, self } = {}) => {
    for (const r of refs) {
      used.add(r.name);
      if (onlyParams) {
        if (!Object.hasOwn(params, r.name) && !PSEUDO.has(r.name)) errors.push(`${r.where}: ${show(r.name)} is not a parameter (only parameters may be referenced here)`);
        continue;
      }
      if (r.getatt) {
        const target = resources[r.name];
        if (!target) { errors.push(`${r.where}: GetAtt of undeclared resource ${show(r.name)}`); continue; }
        const known = RESOURCE_TYPES[target.Type]?.attributes;
        if (known && !known.includes(r.attr)) errors.push(`${r.where}: ${target.Type} ${r.name} has no attribute ${show(r.attr)} (known: ${known.join(', ')})`);
      } else if (!declared(r.name)) {
        errors.push(`${r.where}: ${r.sub ? '${' + r.name + '}' : 'Ref ' + r.name} names no parameter, resource or pseudo parameter`);
        continue;
      }
      if (r.name === self) errors.push(`${r.where}: ${self} references itself`);
      const cond = resources[r.name]?.Condition;
      if (cond && !r.guards.has(cond)) errors.push(`${r.where}: ${r.name} exists only when ${cond}, but this reference is not guarded by it`);
    }
  };

  for (const [name, p] of Object.entries(params)) {
    if (!p.Type) errors.push(`parameter ${name} has no Type`);
    if (!p.Description || !String(p.Description).trim()) errors.push(`parameter ${name} has no Description`);
    if (p.Default !== undefined && p.AllowedValues && !p.AllowedValues.map(String).includes(String(p.Default))) errors.push(`parameter ${name}: Default ${show(p.Default)} is not among AllowedValues`);
    if (p.Default !== undefined && p.AllowedPattern && !new RegExp(p.AllowedPattern).test(String(p.Default))) errors.push(`parameter ${name}: Default ${show(p.Default)} does not match AllowedPattern`);
  }
  if (params.DetectorId?.AllowedPattern !== '^[a-f0-9]{32}$') errors.push(`parameter DetectorId: AllowedPattern is ${show(params.DetectorId?.AllowedPattern)}, want "^[a-f0-9]{32}$"`);
  for (const group of t.Metadata?.['AWS::CloudFormation::Interface']?.ParameterGroups || []) {
    for (const p of group.Parameters || []) if (!Object.hasOwn(params, p)) errors.push(`Metadata ParameterGroups names unknown parameter ${show(p)}`);
  }
  for (const [name, expr] of Object.entries(conditions)) {
    const s = scan(expr, `Conditions.${name}`);
    checkRefs(s.refs, { onlyParams: true });
    checkConds(s.conds);
  }
  for (const [name, rule] of Object.entries(t.Rules || {})) {
    const s = scan(rule, `Rules.${name}`);
    checkRefs(s.refs, { onlyParams: true });
  }
  for (const [name, res] of Object.entries(resources)) {
    const where = `Resources.${name}`;
    for (const k of Object.keys(res)) if (!RESOURCE_KEYS.has(k)) errors.push(`${where}: unknown resource attribute ${show(k)}`);
    const type = RESOURCE_TYPES[res.Type];
    if (!type) errors.push(`${where}: type ${show(res.Type)} is not one this template is meant to use (${Object.keys(RESOURCE_TYPES).join(', ')})`);
    for (const prop of type?.required || []) if (res.Properties?.[prop] === undefined) errors.push(`${where}: ${res.Type} requires property ${prop}`);
    if (res.Type === 'AWS::Events::Rule') {
      for (const [i, target] of (res.Properties?.Targets || []).entries()) for (const k of ['Arn', 'Id']) if (target?.[k] === undefined) errors.push(`${where}.Targets[${i}]: a target requires ${k}`);
    }
    if (res.Condition !== undefined && !Object.hasOwn(conditions, res.Condition)) errors.push(`${where}: condition ${show(res.Condition)} is not declared`);
    const guards = new Set(res.Condition ? [res.Condition] : []);
    const s = scan({ Properties: res.Properties, Metadata: res.Metadata }, where, guards);
    checkRefs(s.refs, { self: name });
    checkConds(s.conds);
    for (const d of dependsOnList(res)) {
      if (typeof d !== 'string') errors.push(`${where}.DependsOn: every DependsOn value must be a string, not ${show(d)}`);
      else if (!Object.hasOwn(resources, d)) errors.push(`${where}.DependsOn: ${show(d)} is not a resource`);
      else if (d === name) errors.push(`${where}.DependsOn: depends on itself`);
      else if (resources[d].Condition && resources[d].Condition !== res.Condition) errors.push(`${where}.DependsOn: ${d} exists only when ${resources[d].Condition}; a DependsOn on it fails when it does not (use a conditional Ref in Metadata)`);
    }
  }
  for (const [name, out] of Object.entries(t.Outputs || {})) {
    if (out.Condition !== undefined && !Object.hasOwn(conditions, out.Condition)) errors.push(`Outputs.${name}: condition ${show(out.Condition)} is not declared`);
    if (out.Value === undefined) errors.push(`Outputs.${name}: no Value`);
    const s = scan(out.Value, `Outputs.${name}`, new Set(out.Condition ? [out.Condition] : []));
    checkRefs(s.refs);
    checkConds(s.conds);
  }
  for (const name of Object.keys(params)) if (!used.has(name)) errors.push(`parameter ${name} is declared but never used`);
  for (const cycle of findCycles(dependencyGraph(t))) errors.push(`dependency cycle (CloudFormation rejects it): ${cycle}`);
  return errors;
}

// ---- evaluating the template for one set of parameters -------------------------------------------
const PSEUDO_VALUES = { 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1',
  'AWS::StackName': 'gd2sentinel', 'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackId': 'arn:aws:cloudformation:eu-west-1:123456789012:stack/gd2sentinel/1' };
const NO_VALUE = Symbol('AWS::NoValue');
const paramValue = (t, params, name) => (Object.hasOwn(params, name) ? params[name]
  : Object.hasOwn(t.Parameters || {}, name) ? t.Parameters[name].Default : PSEUDO_VALUES[name]);

// Conditions (and Rules assertions) over parameter values.
function evalCondition(t, params, expr, conds = new Map()) {
  const value = (x) => (singleKey(x) && 'Ref' in x ? String(paramValue(t, params, x.Ref)) : String(x));
  if (singleKey(expr)) {
    const [k] = Object.keys(expr);
    const v = expr[k];
    if (k === 'Fn::Equals') return value(v[0]) === value(v[1]);
    if (k === 'Fn::Not') return !evalCondition(t, params, v[0], conds);
    if (k === 'Fn::And') return v.every((x) => evalCondition(t, params, x, conds));
    if (k === 'Fn::Or') return v.some((x) => evalCondition(t, params, x, conds));
    if (k === 'Condition') {
      if (!conds.has(v)) conds.set(v, evalCondition(t, params, t.Conditions[v], conds));
      return conds.get(v);
    }
  }
  throw new Error(`cannot evaluate condition ${show(expr)}`);
}
function conditionValues(t, params) {
  const conds = new Map();
  for (const name of Object.keys(t.Conditions || {})) evalCondition(t, params, { Condition: name }, conds);
  return conds;
}
// Fn::If taken, AWS::NoValue dropped (from maps and lists), resources and outputs of false conditions
// removed. Everything else stays symbolic.
function resolveIfs(node, conds) {
  if (Array.isArray(node)) return node.map((v) => resolveIfs(v, conds)).filter((v) => v !== NO_VALUE);
  if (!node || typeof node !== 'object') return node;
  if (singleKey(node) && 'Fn::If' in node) {
    const [c, a, b] = node['Fn::If'];
    if (!conds.has(c)) throw new Error(`Fn::If on unknown condition ${c}`);
    return resolveIfs(conds.get(c) ? a : b, conds);
  }
  if (singleKey(node) && node.Ref === 'AWS::NoValue') return NO_VALUE;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    const r = resolveIfs(v, conds);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}
function instantiate(t, params) {
  const conds = conditionValues(t, params);
  const keep = (section) => Object.fromEntries(Object.entries(section || {})
    .filter(([, x]) => !x.Condition || conds.get(x.Condition))
    .map(([k, x]) => [k, resolveIfs(x, conds)]));
  return { ...t, Resources: keep(t.Resources), Outputs: keep(t.Outputs), params, conds };
}
// A string as CloudFormation would produce it, with placeholders for what only a stack knows:
// Ref of a resource -> "<Name>", GetAtt -> "<Name.Attr>".
function render(inst, node) {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (!singleKey(node)) throw new Error(`cannot render ${show(node)}`);
  const [k] = Object.keys(node);
  const v = node[k];
  const named = (name) => {
    if (Object.hasOwn(inst.Parameters || {}, name) || PSEUDO.has(name)) return String(paramValue(inst, inst.params, name));
    if (Object.hasOwn(inst.Resources, name)) return `<${name}>`;
    throw new Error(`cannot render reference to ${name}`);
  };
  if (k === 'Ref') return named(v);
  if (k === 'Fn::GetAtt') return `<${[].concat(v).join('.')}>`;
  if (k === 'Fn::Join') return v[1].map((x) => render(inst, x)).join(v[0]);
  if (k === 'Fn::Select') return render(inst, [].concat(v[1])[Number(v[0])]);
  if (k === 'Fn::Sub') {
    const [text, vars] = Array.isArray(v) ? v : [v, {}];
    return text.replace(/\$\{([^}]*)\}/g, (whole, name) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (vars && Object.hasOwn(vars, name)) return render(inst, vars[name]);
      if (name.includes('.') && !name.startsWith('AWS::')) return `<${name}>`;
      return named(name);
    });
  }
  throw new Error(`cannot render ${k}`);
}

// ---- b. least privilege ------------------------------------------------------------------------
const ofType = (inst, type) => Object.entries(inst.Resources).filter(([, r]) => r.Type === type);
const isRef = (x, name) => singleKey(x) && x.Ref === name;
const getAttOf = (x) => (singleKey(x) && 'Fn::GetAtt' in x ? [].concat(x['Fn::GetAtt']) : null);
const asList = (x) => (x === undefined ? [] : [].concat(x));

function findRole(t) {
  const arn = getAttOf(t.Outputs?.RoleArn?.Value);
  if (arn && t.Resources[arn[0]]?.Type === 'AWS::IAM::Role') return arn[0];
  const roles = Object.entries(t.Resources || {}).filter(([, r]) => r.Type === 'AWS::IAM::Role');
  return roles.length === 1 ? roles[0][0] : null;
}
// The permission policy documents of the role: its inline Policies, and every policy resource
// attached to it. Works on the raw template too (then documents may still hold Fn::If).
function rolePolicyDocuments(t, role) {
  const docs = [];
  const errors = [];
  const res = t.Resources[role];
  for (const [i, p] of asList(res.Properties?.Policies).entries()) docs.push({ from: `${role}.Policies[${i}]`, doc: p.PolicyDocument });
  for (const arn of asList(res.Properties?.ManagedPolicyArns)) {
    if (singleKey(arn) && 'Ref' in arn && t.Resources[arn.Ref]?.Type === 'AWS::IAM::ManagedPolicy') continue;
    errors.push(`${role}.ManagedPolicyArns: ${show(arn)} is not a policy of this template, so nothing limits what it allows`);
  }
  for (const [name, r] of Object.entries(t.Resources)) {
    const attached = (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') ? asList(r.Properties?.Roles).some((x) => isRef(x, role))
      : r.Type === 'AWS::IAM::RolePolicy' ? isRef(r.Properties?.RoleName, role) : false;
    const listed = asList(res.Properties?.ManagedPolicyArns).some((x) => isRef(x, name));
    if (attached || listed) docs.push({ from: name, doc: r.Properties?.PolicyDocument });
  }
  return { docs, errors };
}

// What `gd2sentinel aws-policy` prints, per action: the kind of resource and the condition keys.
function resourceKindOfPlaceholder(arn) {
  if (/^arn:[^:]+:s3:::[^/]+$/.test(arn)) return 'bucket';
  if (/^arn:[^:]+:s3:::[^/]+\/.+/.test(arn)) return 'export objects';
  if (/^arn:[^:]+:kms:/.test(arn)) return 'export key';
  if (/^arn:[^:]+:sqs:/.test(arn)) return 'queue';
  if (/^arn:[^:]+:guardduty:[^:]+:[^:]+:detector\/[^/]+$/.test(arn)) return 'detector';
  if (arn === '*') return 'any resource';
  return `unknown (${arn})`;
}
const conditionKeys = (cond) => Object.entries(cond || {}).flatMap(([op, kv]) => Object.keys(kv || {}).map((k) => `${op}:${k}`)).sort();
function expectedFromBinary(policy) {
  const byAction = new Map();
  for (const s of policy.Statement) {
    for (const action of asList(s.Action)) {
      byAction.set(action, {
        kinds: [...new Set(asList(s.Resource).map(resourceKindOfPlaceholder))].sort(),
        conditionKeys: conditionKeys(s.Condition),
        // PREFIX is the user's prefix, empty or ending in "/": "PREFIX/AWSLogs/*" -> "<prefix>AWSLogs/*".
        prefixes: asList(s.Condition?.StringLike?.['s3:prefix']).map((x) => String(x).replace(/^PREFIX\/?/, '<prefix>')).sort(),
      });
    }
  }
  return byAction;
}

function resourceKindInTemplate(inst, resource) {
  const att = getAttOf(resource);
  const typeOf = (name) => inst.Resources[name]?.Type;
  if (att && att[1] === 'Arn') {
    // The queue gd2sentinel consumes, not a queue that is another's dead-letter queue.
    const isDlq = Object.values(inst.Resources).some((r) => getAttOf(r.Properties?.RedrivePolicy?.deadLetterTargetArn)?.[0] === att[0]);
    if (typeOf(att[0]) === 'AWS::SQS::Queue' && isDlq) return 'dead-letter queue';
    const kind = { 'AWS::S3::Bucket': 'bucket', 'AWS::KMS::Key': 'export key', 'AWS::SQS::Queue': 'queue' }[typeOf(att[0])];
    if (kind) return kind;
  }
  if (singleKey(resource) && typeof resource['Fn::Sub'] === 'string') {
    const m = /^\$\{(\w+)\.Arn\}\/(.+)$/.exec(resource['Fn::Sub']);
    if (m && typeOf(m[1]) === 'AWS::S3::Bucket' && m[2].endsWith('AWSLogs/*')) return 'export objects';
    // This account's detector in this Region: the one the stack names, or any.
    if (/^arn:\$\{AWS::Partition\}:guardduty:\$\{AWS::Region\}:\$\{AWS::AccountId\}:detector\/(\$\{DetectorId\}|\*)$/.test(resource['Fn::Sub'])) return 'detector';
  }
  if (resource === '*') return 'any resource';
  return `unknown (${show(resource)})`;
}
const templatePrefix = (x) => (singleKey(x) && typeof x['Fn::Sub'] === 'string' ? x['Fn::Sub'].replace('${ExportPrefix}', '<prefix>') : show(x));

// Errors name each missing and extra action; every statement must allow specific actions on specific
// resources, as the binary's statement for the action does.
function leastPrivilege(t, mode, expected) {
  const errors = [];
  const inst = instantiate(t, { ...FULL_TRUST, DeliveryMode: mode });
  const role = findRole(inst);
  if (!role) return [`cannot tell which AWS::IAM::Role is gd2sentinel's (no Outputs.RoleArn: !GetAtt <Role>.Arn and not exactly one role)`];
  const { docs, errors: attachErrors } = rolePolicyDocuments(inst, role);
  errors.push(...attachErrors);
  if (!docs.length) errors.push(`${role} has no permission policy`);
  const granted = new Map();
  for (const { from, doc } of docs) {
    for (const [i, s] of asList(doc?.Statement).entries()) {
      const where = `${from} Statement[${i}]${s.Sid ? ` (${s.Sid})` : ''}`;
      for (const k of ['NotAction', 'NotResource', 'NotPrincipal']) if (s[k] !== undefined) errors.push(`${where}: ${k} grants more than it names`);
      if (s.Effect !== 'Allow') continue;
      const resources = asList(s.Resource);
      if (!resources.length) errors.push(`${where}: no Resource`);
      // "*" only for actions the binary itself grants on "*" (IAM has no resource for them).
      const onAnyResource = asList(s.Action).every((a) => expected.get(a)?.kinds.includes('any resource'));
      for (const r of resources) if (r === '*' && !onAnyResource) errors.push(`${where}: Resource "*"`);
      for (const action of asList(s.Action)) {
        if (typeof action !== 'string') { errors.push(`${where}: action ${show(action)} is not a plain string`); continue; }
        if (action.includes('*') || action.includes('?')) errors.push(`${where}: wildcard action ${action}`);
        if (!granted.has(action)) granted.set(action, []);
        granted.get(action).push({ where, s });
      }
    }
  }
  const want = new Set([...expected.keys()].filter((a) => mode === 'sqs' || !/^sqs:/.test(a)));
  const missing = [...want].filter((a) => !granted.has(a)).sort();
  const extra = [...granted.keys()].filter((a) => !want.has(a)).sort();
  for (const a of missing) errors.push(`DeliveryMode ${mode}: missing: ${a} (gd2sentinel calls it; aws-policy grants it)`);
  for (const a of extra) errors.push(`DeliveryMode ${mode}: extra: ${a} (${expected.has(a) ? 'not needed in this mode' : 'gd2sentinel never calls it'})`);
  for (const [action, grants] of granted) {
    const exp = expected.get(action);
    if (!exp || !want.has(action)) continue;
    for (const { where, s } of grants) {
      const kinds = [...new Set(asList(s.Resource).map((r) => resourceKindInTemplate(inst, r)))].sort();
      if (show(kinds) !== show(exp.kinds)) errors.push(`${where}: ${action} on ${kinds.join(', ')}; gd2sentinel aws-policy grants it on ${exp.kinds.join(', ')}`);
      const keys = conditionKeys(s.Condition);
      if (show(keys) !== show(exp.conditionKeys)) errors.push(`${where}: ${action} with conditions [${keys.join(', ')}]; gd2sentinel aws-policy has [${exp.conditionKeys.join(', ')}]`);
      if (exp.prefixes.length) {
        const got = asList(s.Condition?.StringLike?.['s3:prefix']).map(templatePrefix).sort();
        if (show(got) !== show(exp.prefixes)) errors.push(`${where}: ${action} for s3:prefix ${show(got)}; gd2sentinel aws-policy has ${show(exp.prefixes)}`);
      }
    }
  }
  return errors;
}

function loadAwsPolicy() {
  const fallback = path.join(ROOT, 'build', 'dev', 'src', 'gd2sentinel');
  const bin = process.env.GD2SENTINEL_BIN || fallback;
  if (!existsSync(bin)) {
    throw new Error(process.env.GD2SENTINEL_BIN ? `GD2SENTINEL_BIN=${bin} does not exist`
      : `GD2SENTINEL_BIN is not set and ${rel(fallback)} does not exist: build gd2sentinel or point GD2SENTINEL_BIN at it`);
  }
  let out;
  try {
    out = execFileSync(bin, ['aws-policy'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  } catch (e) {
    const why = e.status != null ? `exit ${e.status}` : (e.code || e.message);
    const stderr = String(e.stderr || '').trim().split('\n').slice(0, 3).join(' | ');
    throw new Error(`\`${bin} aws-policy\` failed (${why}): this gd2sentinel does not have the aws-policy command yet, or it is broken${stderr ? ` - ${stderr}` : ''}`);
  }
  let policy;
  try { policy = JSON.parse(out); } catch (e) {
    throw new Error(`\`${bin} aws-policy\` printed no JSON policy (${e.message}); it began: ${show(out.slice(0, 120))}`);
  }
  const shape = [];
  if (policy?.Version !== '2012-10-17') shape.push(`Version is ${show(policy?.Version)}`);
  if (!Array.isArray(policy?.Statement) || !policy.Statement.length) shape.push('no Statement list');
  for (const [i, s] of asList(policy?.Statement).entries()) {
    if (s.Effect !== 'Allow') shape.push(`Statement[${i}].Effect is ${show(s.Effect)}`);
    if (!asList(s.Action).length || !asList(s.Action).every((a) => typeof a === 'string')) shape.push(`Statement[${i}].Action is ${show(s.Action)}`);
    if (!asList(s.Resource).length) shape.push(`Statement[${i}] has no Resource`);
  }
  if (shape.length) throw new Error(`\`${bin} aws-policy\` printed an unexpected policy: ${shape.join('; ')}`);
  return { bin, policy };
}

// ---- c. wiring -----------------------------------------------------------------------------------
const DETECTOR = '0123456789abcdef0123456789abcdef';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E';
const PRINCIPAL = 'arn:aws:iam::210987654321:role/gd2sentinel-runner';
const FULL_TRUST = { DetectorId: DETECTOR, TrustEc2: 'true', EksOidcIssuer: ISSUER, TrustedPrincipalArn: PRINCIPAL };

function one(inst, type, errors, what = type) {
  const found = ofType(inst, type);
  if (found.length !== 1) { errors.push(`expected one ${what}, found ${found.length}`); return [null, null]; }
  return found[0];
}
const statementsOf = (doc) => asList(doc?.Statement);
const servicePrincipal = (inst, s) => asList(s.Principal?.Service).map((x) => render(inst, x));
const hasAction = (s, a) => asList(s.Action).includes(a);
const conditionValue = (s, key) => Object.values(s.Condition || {}).map((kv) => kv?.[key]).find((v) => v !== undefined);

function wiringSqs(t) {
  const errors = [];
  const inst = instantiate(t, { ...FULL_TRUST, DeliveryMode: 'sqs' });
  const p = inst.params;
  const [bucketName, bucket] = one(inst, 'AWS::S3::Bucket', errors);
  const [keyName, key] = one(inst, 'AWS::KMS::Key', errors);
  const [ruleName, rule] = one(inst, 'AWS::Events::Rule', errors);
  const [qpName, qp] = one(inst, 'AWS::SQS::QueuePolicy', errors);
  const [, dest] = one(inst, 'AWS::GuardDuty::PublishingDestination', errors);
  const [bpName, bp] = one(inst, 'AWS::S3::BucketPolicy', errors);
  const roleName = findRole(inst);
  if (!bucket || !key || !rule || !qp || !dest || !bp || !roleName) return errors.concat(roleName ? [] : ['no gd2sentinel role']);
  const isKeyArn = (x) => show(getAttOf(x)) === show([keyName, 'Arn']);
  const detectorArn = `arn:aws:guardduty:eu-west-1:123456789012:detector/${DETECTOR}`;

  // The notification: new export objects into the queue.
  const configs = asList(bucket.Properties?.NotificationConfiguration?.QueueConfigurations);
  const qc = configs.find((c) => inst.Resources[getAttOf(c.Queue)?.[0]]?.Type === 'AWS::SQS::Queue');
  let queueName = null;
  if (!qc) errors.push(`${bucketName}: no NotificationConfiguration.QueueConfigurations entry targets an SQS queue ARN`);
  else {
    queueName = getAttOf(qc.Queue)[0];
    if (getAttOf(qc.Queue)[1] !== 'Arn') errors.push(`${bucketName}: notification Queue is ${show(qc.Queue)}, not the queue's Arn`);
    if (qc.Event !== 's3:ObjectCreated:*') errors.push(`${bucketName}: notification Event is ${show(qc.Event)}, want s3:ObjectCreated:*`);
    const rules = Object.fromEntries(asList(qc.Filter?.S3Key?.Rules).map((r) => [String(r.Name).toLowerCase(), r.Value]));
    if (rules.suffix !== '.jsonl.gz') errors.push(`${bucketName}: notification suffix filter is ${show(rules.suffix)}, want .jsonl.gz`);
    if (rules.prefix === undefined || render(inst, rules.prefix) !== `${p.ExportPrefix ?? ''}AWSLogs/`) errors.push(`${bucketName}: notification prefix filter is ${show(rules.prefix)}, want <prefix>AWSLogs/`);
    for (const prefix of ['', 'guardduty/']) {
      const alt = instantiate(t, { ...FULL_TRUST, DeliveryMode: 'sqs', ExportPrefix: prefix });
      const altRules = asList(alt.Resources[bucketName].Properties.NotificationConfiguration.QueueConfigurations[0].Filter.S3Key.Rules);
      const got = render(alt, altRules.find((r) => r.Name === 'prefix').Value);
      if (got !== `${prefix}AWSLogs/`) errors.push(`${bucketName}: with ExportPrefix ${show(prefix)} the notification prefix is ${show(got)}`);
    }
  }
  const dependsOnQueuePolicy = dependencyGraph(inst).get(bucketName)?.has(qpName);
  if (!dependsOnQueuePolicy) errors.push(`${bucketName} does not wait for ${qpName}: S3 refuses a notification to a queue that does not let it send`);

  // The queue, its dead-letter queue and redrive policy.
  const queue = queueName && inst.Resources[queueName];
  if (queue) {
    const qprops = queue.Properties || {};
    if (qprops.FifoQueue) errors.push(`${queueName}: a FIFO queue cannot be an S3 notification destination`);
    if (qprops.SqsManagedSseEnabled !== true) errors.push(`${queueName}: SqsManagedSseEnabled is ${show(qprops.SqsManagedSseEnabled)}, want true`);
    if (Number(qprops.VisibilityTimeout) !== 300) errors.push(`${queueName}: VisibilityTimeout is ${show(qprops.VisibilityTimeout)}, want 300`);
    const redrive = qprops.RedrivePolicy;
    const dlqName = getAttOf(redrive?.deadLetterTargetArn)?.[0];
    const dlq = inst.Resources[dlqName];
    if (!dlq || dlq.Type !== 'AWS::SQS::Queue' || dlqName === queueName) errors.push(`${queueName}: RedrivePolicy.deadLetterTargetArn is ${show(redrive?.deadLetterTargetArn)}, not another queue's Arn`);
    else if (Number(dlq.Properties?.MessageRetentionPeriod) !== 1209600) errors.push(`${dlqName}: MessageRetentionPeriod is ${show(dlq.Properties?.MessageRetentionPeriod)}, want 1209600 (14 days)`);
    if (!isRef(redrive?.maxReceiveCount, 'MaxReceiveCount')) errors.push(`${queueName}: RedrivePolicy.maxReceiveCount is ${show(redrive?.maxReceiveCount)}, not the MaxReceiveCount parameter`);
    if (String(t.Parameters?.MaxReceiveCount?.Default) !== '5') errors.push(`parameter MaxReceiveCount defaults to ${show(t.Parameters?.MaxReceiveCount?.Default)}, want 5`);
  }

  // The EventBridge rule.
  const pattern = rule.Properties?.EventPattern || {};
  if (show(pattern.source) !== show(['aws.guardduty'])) errors.push(`${ruleName}: EventPattern.source is ${show(pattern.source)}`);
  if (show(pattern['detail-type']) !== show(['GuardDuty Finding'])) errors.push(`${ruleName}: EventPattern.detail-type is ${show(pattern['detail-type'])}`);
  const target = asList(rule.Properties?.Targets).find((x) => show(getAttOf(x.Arn)) === show([queueName, 'Arn']));
  if (!target) errors.push(`${ruleName}: no target is ${queueName}'s Arn`);
  else if (target.RoleArn !== undefined) errors.push(`${ruleName}: the SQS target has a RoleArn; SQS authorises EventBridge by the queue policy`);

  // The queue policy: S3 from the export bucket of this account, EventBridge from the rule.
  if (!asList(qp.Properties?.Queues).some((x) => isRef(x, queueName))) errors.push(`${qpName}: Queues does not name ${queueName}`);
  const qps = statementsOf(qp.Properties?.PolicyDocument);
  const s3s = qps.find((s) => s.Effect === 'Allow' && servicePrincipal(inst, s).includes('s3.amazonaws.com') && hasAction(s, 'sqs:SendMessage'));
  if (!s3s) errors.push(`${qpName}: no statement lets s3.amazonaws.com sqs:SendMessage`);
  else {
    const src = conditionValue(s3s, 'aws:SourceArn');
    const want = `arn:aws:s3:::${render(inst, bucket.Properties?.BucketName)}`;
    if (src === undefined || render(inst, src) !== want) errors.push(`${qpName}: the S3 statement's aws:SourceArn is ${show(src)}, which is not the export bucket (${want})`);
    if (conditionValue(s3s, 'aws:SourceAccount') === undefined) errors.push(`${qpName}: the S3 statement has no aws:SourceAccount condition`);
  }
  const evs = qps.find((s) => s.Effect === 'Allow' && servicePrincipal(inst, s).includes('events.amazonaws.com') && hasAction(s, 'sqs:SendMessage'));
  if (!evs) errors.push(`${qpName}: no statement lets events.amazonaws.com sqs:SendMessage`);
  else if (show(getAttOf(conditionValue(evs, 'aws:SourceArn'))) !== show([ruleName, 'Arn'])) errors.push(`${qpName}: the EventBridge statement's aws:SourceArn is ${show(conditionValue(evs, 'aws:SourceArn'))}, not ${ruleName}'s Arn`);

  // The publishing destination.
  const dp = dest.Properties || {};
  if (dp.DestinationType !== 'S3') errors.push(`publishing destination: DestinationType is ${show(dp.DestinationType)}`);
  if (!isRef(dp.DetectorId, 'DetectorId')) errors.push(`publishing destination: DetectorId is ${show(dp.DetectorId)}, not the DetectorId parameter`);
  if (!isKeyArn(dp.DestinationProperties?.KmsKeyArn)) errors.push(`publishing destination: KmsKeyArn is ${show(dp.DestinationProperties?.KmsKeyArn)}, not ${keyName}'s Arn`);
  for (const [prefix, want] of [['', '<ExportBucket.Arn>'], ['guardduty/', '<ExportBucket.Arn>/guardduty/']]) {
    const alt = instantiate(t, { ...FULL_TRUST, ExportPrefix: prefix });
    const got = render(alt, ofType(alt, 'AWS::GuardDuty::PublishingDestination')[0][1].Properties.DestinationProperties.DestinationArn);
    if (got !== want.replace('ExportBucket', bucketName)) errors.push(`publishing destination: with ExportPrefix ${show(prefix)} DestinationArn is ${got}`);
  }
  const destName = ofType(inst, 'AWS::GuardDuty::PublishingDestination')[0][0];
  const destDeps = dependencyGraph(inst).get(destName);
  for (const need of [bpName, keyName]) if (!destDeps.has(need)) errors.push(`publishing destination: does not wait for ${need} (GuardDuty tries the bucket and key when it is created)`);

  // The bucket: private, SSE-KMS with the key and a bucket key, objects expire.
  const pab = bucket.Properties?.PublicAccessBlockConfiguration || {};
  for (const k of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets']) if (pab[k] !== true) errors.push(`${bucketName}: PublicAccessBlockConfiguration.${k} is not true`);
  const sse = asList(bucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration)[0] || {};
  if (sse.ServerSideEncryptionByDefault?.SSEAlgorithm !== 'aws:kms' || !isKeyArn(sse.ServerSideEncryptionByDefault?.KMSMasterKeyID)) errors.push(`${bucketName}: default encryption is not aws:kms with ${keyName}`);
  if (sse.BucketKeyEnabled !== true) errors.push(`${bucketName}: BucketKeyEnabled is not true`);
  const expiry = asList(bucket.Properties?.LifecycleConfiguration?.Rules).find((r) => r.Status === 'Enabled' && isRef(r.ExpirationInDays, 'ExportRetentionDays'));
  if (!expiry) errors.push(`${bucketName}: no enabled lifecycle rule expires objects after ExportRetentionDays`);
  if (String(t.Parameters?.ExportRetentionDays?.Default) !== '90') errors.push(`parameter ExportRetentionDays defaults to ${show(t.Parameters?.ExportRetentionDays?.Default)}, want 90`);

  // The bucket policy: GuardDuty of this detector only, TLS only, the right key only.
  const bps = statementsOf(bp.Properties?.PolicyDocument);
  if (!isRef(bp.Properties?.Bucket, bucketName)) errors.push(`${bpName}: Bucket is not ${bucketName}`);
  const guardduty = (s) => servicePrincipal(inst, s).includes('guardduty.amazonaws.com');
  for (const action of ['s3:PutObject', 's3:GetBucketLocation']) {
    const s = bps.find((x) => x.Effect === 'Allow' && guardduty(x) && hasAction(x, action));
    if (!s) { errors.push(`${bpName}: GuardDuty is not allowed ${action}`); continue; }
    if (render(inst, conditionValue(s, 'aws:SourceArn') ?? '') !== detectorArn) errors.push(`${bpName}: GuardDuty's ${action} is not limited to aws:SourceArn ${detectorArn}`);
    if (render(inst, conditionValue(s, 'aws:SourceAccount') ?? '') !== '123456789012') errors.push(`${bpName}: GuardDuty's ${action} is not limited by aws:SourceAccount`);
  }
  if (!bps.some((s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false')) errors.push(`${bpName}: no Deny for aws:SecureTransport false`);
  if (!bps.some((s) => s.Effect === 'Deny' && hasAction(s, 's3:PutObject') && s.Condition?.StringNotEquals?.['s3:x-amz-server-side-encryption'] === 'aws:kms')) errors.push(`${bpName}: no Deny of PutObject without aws:kms encryption`);
  if (!bps.some((s) => s.Effect === 'Deny' && hasAction(s, 's3:PutObject') && isKeyArn(s.Condition?.StringNotEquals?.['s3:x-amz-server-side-encryption-aws-kms-key-id']))) errors.push(`${bpName}: no Deny of PutObject with another KMS key`);

  // The key policy: the account administers, GuardDuty of this detector encrypts, the role decrypts through S3.
  const kps = statementsOf(key.Properties?.KeyPolicy);
  if (!kps.some((s) => s.Effect === 'Allow' && asList(s.Principal?.AWS).some((x) => render(inst, x) === 'arn:aws:iam::123456789012:root') && hasAction(s, 'kms:*'))) errors.push(`${keyName}: the account root does not administer the key`);
  const gdk = kps.find((s) => s.Effect === 'Allow' && guardduty(s) && hasAction(s, 'kms:GenerateDataKey'));
  if (!gdk) errors.push(`${keyName}: GuardDuty may not kms:GenerateDataKey`);
  else {
    if (render(inst, gdk.Condition?.StringEquals?.['aws:SourceArn'] ?? '') !== detectorArn) errors.push(`${keyName}: GuardDuty's use is not limited to aws:SourceArn ${detectorArn}`);
    if (render(inst, gdk.Condition?.StringEquals?.['aws:SourceAccount'] ?? '') !== '123456789012') errors.push(`${keyName}: GuardDuty's use is not limited by aws:SourceAccount`);
  }
  const rk = kps.find((s) => s.Effect === 'Allow' && asList(s.Principal?.AWS).some((x) => show(getAttOf(x)) === show([roleName, 'Arn'])));
  if (!rk || show(asList(rk.Action)) !== show(['kms:Decrypt'])) errors.push(`${keyName}: ${roleName} is not allowed kms:Decrypt (alone)`);
  else if (render(inst, rk.Condition?.StringEquals?.['kms:ViaService'] ?? '') !== 's3.eu-west-1.amazonaws.com') errors.push(`${keyName}: ${roleName}'s kms:Decrypt is not limited to kms:ViaService s3.<region>.amazonaws.com`);
  const alias = ofType(inst, 'AWS::KMS::Alias').find(([, a]) => isRef(a.Properties?.TargetKeyId, keyName));
  if (!alias) errors.push(`no AWS::KMS::Alias targets ${keyName}`);
  else if (!render(inst, alias[1].Properties.AliasName).startsWith('alias/')) errors.push(`${alias[0]}: AliasName must begin with alias/`);

  for (const out of ['BucketName', 'Region', 'QueueUrl', 'RoleArn', 'KmsKeyArn', 'DeadLetterQueueUrl', 'Gd2sentinelConfig']) if (!inst.Outputs[out]) errors.push(`sqs mode: no output ${out}`);
  if (!isRef(inst.Outputs.QueueUrl?.Value, queueName)) errors.push(`output QueueUrl is ${show(inst.Outputs.QueueUrl?.Value)}, not Ref ${queueName} (its URL)`);
  return errors;
}

function wiringS3Listing(t) {
  const errors = [];
  const inst = instantiate(t, { ...FULL_TRUST, DeliveryMode: 's3-listing' });
  for (const type of ['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::Events::Rule']) {
    const found = ofType(inst, type).map(([n]) => n);
    if (found.length) errors.push(`s3-listing mode still creates ${type} ${found.join(', ')}`);
  }
  for (const [name, b] of ofType(inst, 'AWS::S3::Bucket')) if (b.Properties?.NotificationConfiguration !== undefined) errors.push(`s3-listing mode: ${name} still has a NotificationConfiguration`);
  for (const out of ['QueueUrl', 'DeadLetterQueueUrl']) if (inst.Outputs[out]) errors.push(`s3-listing mode: output ${out} exists`);
  for (const out of ['BucketName', 'Region', 'RoleArn', 'KmsKeyArn', 'Gd2sentinelConfig']) if (!inst.Outputs[out]) errors.push(`s3-listing mode: no output ${out}`);
  return errors;
}

// Every output has a description and, whatever the parameters, a value that is not empty (Prefix
// exists only with a prefix).
function outputs(t) {
  const errors = [];
  for (const [name, out] of Object.entries(t.Outputs || {})) if (!out.Description) errors.push(`output ${name} has no Description`);
  for (const mode of ['sqs', 's3-listing']) {
    for (const prefix of ['', 'guardduty/']) {
      const inst = instantiate(t, { ...FULL_TRUST, DeliveryMode: mode, ExportPrefix: prefix });
      for (const [name, out] of Object.entries(inst.Outputs)) {
        let value;
        try { value = render(inst, out.Value); } catch (e) { errors.push(`${mode}, prefix ${show(prefix)}: output ${name} does not render: ${e.message}`); continue; }
        if (value === '') errors.push(`${mode}, prefix ${show(prefix)}: output ${name} is empty`);
      }
      if (Boolean(inst.Outputs.Prefix) !== Boolean(prefix)) errors.push(`${mode}, prefix ${show(prefix)}: output Prefix ${inst.Outputs.Prefix ? 'present' : 'absent'}`);
      else if (prefix && render(inst, inst.Outputs.Prefix.Value) !== prefix) errors.push(`output Prefix is ${render(inst, inst.Outputs.Prefix.Value)}, want ${prefix}`);
    }
  }
  return errors;
}

// Every trust choice renders to a valid trust policy with the principals asked for; none at all is refused.
function trustPolicies(t) {
  const errors = [];
  const choices = ['ec2', 'eks', 'principal'];
  for (let mask = 0; mask < 8; mask += 1) {
    const on = choices.filter((_, i) => mask & (1 << i));
    const params = { DetectorId: DETECTOR, TrustEc2: on.includes('ec2') ? 'true' : 'false',
      EksOidcIssuer: on.includes('eks') ? ISSUER : '', TrustedPrincipalArn: on.includes('principal') ? PRINCIPAL : '' };
    const label = on.length ? on.join('+') : 'no trust';
    const rulesOk = Object.values(t.Rules || {}).every((r) => asList(r.Assertions).every((a) => evalCondition(t, params, a.Assert)));
    if (!on.length) {
      if (rulesOk) errors.push('with no trust chosen the template Rules accept the stack: nobody could assume the role');
      continue;
    }
    if (!rulesOk) { errors.push(`${label}: the template Rules refuse it`); continue; }
    const inst = instantiate(t, params);
    const role = findRole(inst);
    let doc;
    try {
      const raw = inst.Resources[role].Properties.AssumeRolePolicyDocument;
      doc = typeof raw === 'object' && !singleKey(raw) ? raw : JSON.parse(render(inst, raw));
    } catch (e) { errors.push(`${label}: the trust policy does not render to JSON: ${e.message}`); continue; }
    const st = asList(doc.Statement);
    if (doc.Version !== '2012-10-17') errors.push(`${label}: trust policy Version ${show(doc.Version)}`);
    if (st.length !== on.length) errors.push(`${label}: ${st.length} trust statements, want ${on.length}`);
    const ec2 = st.find((s) => asList(s.Principal?.Service).includes('ec2.amazonaws.com'));
    if (on.includes('ec2') !== Boolean(ec2 && hasAction(ec2, 'sts:AssumeRole'))) errors.push(`${label}: EC2 trust ${ec2 ? 'present' : 'absent'}`);
    const eks = st.find((s) => s.Principal?.Federated);
    if (on.includes('eks')) {
      if (!eks) errors.push(`${label}: no web-identity trust`);
      else {
        if (eks.Principal.Federated !== `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`) errors.push(`${label}: Federated principal is ${eks.Principal.Federated}`);
        if (!hasAction(eks, 'sts:AssumeRoleWithWebIdentity')) errors.push(`${label}: EKS trust action is ${show(eks.Action)}`);
        const eq = eks.Condition?.StringEquals || {};
        if (eq[`${ISSUER}:sub`] !== 'system:serviceaccount:gd2sentinel:gd2sentinel') errors.push(`${label}: ${ISSUER}:sub condition is ${show(eq[`${ISSUER}:sub`])}`);
        if (eq[`${ISSUER}:aud`] !== 'sts.amazonaws.com') errors.push(`${label}: ${ISSUER}:aud condition is ${show(eq[`${ISSUER}:aud`])}`);
      }
    } else if (eks) errors.push(`${label}: web-identity trust present`);
    const aws = st.find((s) => s.Principal?.AWS);
    if (on.includes('principal') !== Boolean(aws && aws.Principal.AWS === PRINCIPAL && hasAction(aws, 'sts:AssumeRole'))) errors.push(`${label}: trust of ${PRINCIPAL} ${aws ? show(aws.Principal) : 'absent'}`);
    const profiles = ofType(inst, 'AWS::IAM::InstanceProfile');
    if (on.includes('ec2') !== (profiles.length === 1)) errors.push(`${label}: ${profiles.length} instance profiles`);
    if (profiles.length && !asList(profiles[0][1].Properties?.Roles).some((x) => isRef(x, role))) errors.push(`${label}: the instance profile does not hold ${role}`);
  }
  return errors;
}

// The Gd2sentinelConfig output, rendered for each mode, uses only sections and keys that
// docs/configuration.md documents.
function documentedKeys() {
  const keys = new Map();
  let section = null;
  for (const line of readFileSync(CONFIG_DOC, 'utf8').split('\n')) {
    const h = /^## `\[([a-z0-9_.]+)\]`/.exec(line);
    if (h) { section = h[1]; keys.set(section, new Set()); continue; }
    if (/^## /.test(line)) section = null;
    const row = /^\| `([a-z0-9_]+)` \|/.exec(line);
    if (section && row) keys.get(section).add(row[1]);
  }
  return keys;
}
function configOutput(t) {
  const errors = [];
  const documented = documentedKeys();
  if (!documented.get('source.sqs')?.has('queue_url') || !documented.get('source.s3_listing')?.has('bucket')) return [`could not read the option tables of ${rel(CONFIG_DOC)}`];
  const cases = [
    { mode: 'sqs', trust: { TrustEc2: 'true' }, section: 'source.sqs', need: { queue_url: '<FindingsQueue>', region: 'eu-west-1', max_receive_count: '5' }, aws: false },
    { mode: 's3-listing', trust: { EksOidcIssuer: ISSUER }, section: 'source.s3_listing', need: { bucket: '<ExportBucket>', prefix: 'guardduty/', region: 'eu-west-1' }, aws: false, prefix: 'guardduty/' },
    { mode: 'sqs', trust: { TrustedPrincipalArn: PRINCIPAL }, section: 'source.sqs', need: { region: 'eu-west-1' }, aws: true },
  ];
  for (const c of cases) {
    const inst = instantiate(t, { DetectorId: DETECTOR, DeliveryMode: c.mode, ExportPrefix: c.prefix ?? '', ...c.trust });
    const label = `${c.mode}, ${Object.keys(c.trust)[0]}`;
    let text;
    try { text = render(inst, inst.Outputs.Gd2sentinelConfig?.Value); } catch (e) { errors.push(`${label}: Gd2sentinelConfig does not render: ${e.message}`); continue; }
    const tables = new Map();
    let current = null;
    for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
      const h = /^\[([a-z0-9_.]+)\]$/.exec(line);
      if (h) { current = h[1]; tables.set(current, {}); continue; }
      const kv = /^([a-z0-9_]+) = (?:"([^"]*)"|(\d+))$/.exec(line);
      if (!kv || !current) { errors.push(`${label}: Gd2sentinelConfig line ${show(line)} is not a TOML key = value under a table`); continue; }
      tables.get(current)[kv[1]] = kv[2] ?? kv[3];
    }
    for (const [section, kv] of tables) {
      if (!documented.has(section)) { errors.push(`${label}: [${section}] is not a table of ${rel(CONFIG_DOC)}`); continue; }
      for (const k of Object.keys(kv)) if (!documented.get(section).has(k)) errors.push(`${label}: [${section}] ${k} is not an option of ${rel(CONFIG_DOC)}`);
    }
    const sources = [...tables.keys()].filter((s) => s.startsWith('source.'));
    if (show(sources) !== show([c.section])) errors.push(`${label}: source tables ${show(sources)}, want [${c.section}]`);
    for (const [k, v] of Object.entries(c.need)) if (tables.get(c.section)?.[k] !== v) errors.push(`${label}: [${c.section}] ${k} = ${show(tables.get(c.section)?.[k])}, want ${show(v)}`);
    const roleArn = tables.get('aws')?.role_arn;
    if (c.aws !== Boolean(roleArn)) errors.push(`${label}: [aws] role_arn ${roleArn ? 'present' : 'absent'}; gd2sentinel assumes the role itself only when trusted as a principal alone`);
  }
  return errors;
}

// ---- negative self-checks: the checks must notice a broken template -------------------------------
function rolePolicyStatements(t) {
  const role = findRole(t);
  return rolePolicyDocuments(t, role).docs.flatMap(({ doc }) => asList(doc?.Statement));
}
// Each statement, including one inside Fn::If [cond, statement, AWS::NoValue].
function eachStatement(t, fn) {
  for (const s of rolePolicyStatements(t)) {
    if (singleKey(s) && 'Fn::If' in s) { for (const b of s['Fn::If'].slice(1)) if (b && b.Action) fn(b); } else fn(s);
  }
}
function mutate(t, how) {
  const copy = clone(t);
  how(copy);
  return copy;
}
function expectReported(name, errors, needle) {
  const hit = errors.some((e) => e.includes(needle));
  check(`self-check: ${name} is reported`, hit ? [] : [`expected an error containing ${show(needle)}; got ${errors.length ? errors.join(' / ') : 'no errors'}`]);
}

// ---- run -----------------------------------------------------------------------------------------
const { template, problems } = existsSync(TEMPLATE) ? loadTemplate(TEMPLATE) : { template: null, problems: [`${rel(TEMPLATE)} does not exist`] };
check(`${rel(TEMPLATE)} parses as a CloudFormation YAML template`, problems);
if (!template) finish();

check('lint: format version, parameters, references, conditions, DependsOn, types, required properties, no cycle', lint(template));

let expected = null;
try {
  const { bin, policy } = loadAwsPolicy();
  expected = expectedFromBinary(policy);
  check(`\`${bin.startsWith(ROOT + path.sep) ? rel(bin) : bin} aws-policy\` prints a policy (${[...expected.keys()].join(', ')})`, []);
} catch (e) {
  check('gd2sentinel aws-policy', [e.message]);
}
if (expected) {
  for (const mode of ['sqs', 's3-listing']) check(`least privilege, DeliveryMode ${mode}: the role may do exactly what aws-policy prints${mode === 'sqs' ? '' : ' except the sqs: actions'}, on the same resources`, leastPrivilege(template, mode, expected));
}
check('wiring, DeliveryMode sqs: bucket notification, queue and DLQ, rule, queue/bucket/key policies, publishing destination', wiringSqs(template));
check('wiring, DeliveryMode s3-listing: no queue, queue policy, rule or notification', wiringS3Listing(template));
check('trust: every choice of EC2 / EKS service account / principal renders a valid trust policy; none is refused', trustPolicies(template));
check('outputs: described, never empty, Prefix only with a prefix', outputs(template));
check(`outputs: Gd2sentinelConfig uses only tables and options of ${rel(CONFIG_DOC)}`, configOutput(template));

// A least-privilege or lint check that passes a broken template is worthless.
if (expected) {
  const withPut = mutate(template, (t) => {
    let done = false;
    eachStatement(t, (s) => { if (!done && s.Effect === 'Allow') { s.Action = [...asList(s.Action), 's3:PutObject']; done = true; } });
  });
  expectReported('s3:PutObject added to the role (sqs)', leastPrivilege(withPut, 'sqs', expected), 'extra: s3:PutObject');
  expectReported('s3:PutObject added to the role (s3-listing)', leastPrivilege(withPut, 's3-listing', expected), 'extra: s3:PutObject');
  const withoutDelete = mutate(template, (t) => eachStatement(t, (s) => { s.Action = asList(s.Action).filter((a) => a !== 'sqs:DeleteMessage'); }));
  expectReported('sqs:DeleteMessage removed from the role', leastPrivilege(withoutDelete, 'sqs', expected), 'missing: sqs:DeleteMessage');
  const withWildcard = mutate(template, (t) => eachStatement(t, (s) => { if (asList(s.Action).includes('sqs:ReceiveMessage')) s.Action = ['sqs:*']; }));
  expectReported('sqs:* in the role', leastPrivilege(withWildcard, 'sqs', expected), 'wildcard action sqs:*');
  const withStar = mutate(template, (t) => eachStatement(t, (s) => { if (asList(s.Action).includes('s3:GetObject')) s.Resource = '*'; }));
  expectReported('Resource "*" in the role', leastPrivilege(withStar, 's3-listing', expected), 'Resource "*"');
  const wrongResource = mutate(template, (t) => eachStatement(t, (s) => { if (asList(s.Action).includes('kms:Decrypt')) s.Resource = { 'Fn::GetAtt': [ofType(instantiate(t, FULL_TRUST), 'AWS::S3::Bucket')[0][0], 'Arn'] }; }));
  expectReported('kms:Decrypt on the bucket instead of the key', leastPrivilege(wrongResource, 's3-listing', expected), 'kms:Decrypt on bucket');
  const findingsOnStar = mutate(template, (t) => eachStatement(t, (s) => { if (asList(s.Action).includes('guardduty:GetFindings')) s.Resource = '*'; }));
  expectReported('guardduty:GetFindings on Resource "*" (the detector is its resource)', leastPrivilege(findingsOnStar, 'sqs', expected), 'Resource "*"');
  const withoutListDetectors = mutate(template, (t) => eachStatement(t, (s) => { s.Action = asList(s.Action).filter((a) => a !== 'guardduty:ListDetectors'); }));
  expectReported('guardduty:ListDetectors removed from the role (s3-listing)', leastPrivilege(withoutListDetectors, 's3-listing', expected), 'missing: guardduty:ListDetectors');
  const withSqsInS3Listing = mutate(template, (t) => { const docs = rolePolicyDocuments(t, findRole(t)).docs; docs[0].doc.Statement.push({ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: { 'Fn::GetAtt': ['ExportBucket', 'Arn'] } }); });
  expectReported('an sqs: action in s3-listing mode', leastPrivilege(withSqsInS3Listing, 's3-listing', expected), 'extra: sqs:ReceiveMessage');
}
{
  const keyName = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::KMS::Key')?.[0];
  const bucketName = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::S3::Bucket')?.[0];
  const cyclic = mutate(template, (t) => { t.Resources[keyName].DependsOn = [...dependsOnList(t.Resources[keyName]), bucketName]; });
  expectReported(`a cycle (${keyName} DependsOn ${bucketName})`, lint(cyclic), 'dependency cycle');
  const dangling = mutate(template, (t) => { t.Resources[bucketName].Properties.BucketName = { 'Fn::Sub': '${NoSuchParameter}-x' }; });
  expectReported('a ${Name} that names nothing', lint(dangling), 'NoSuchParameter');
  const conditional = Object.entries(template.Resources).find(([, r]) => r.Condition)?.[0];
  const unguarded = mutate(template, (t) => { t.Outputs.Unguarded = { Value: { Ref: conditional } }; });
  expectReported('an unguarded Ref to a conditional resource', lint(unguarded), 'not guarded');
}
finish();
