/** Object metadata rules shared by every resource: names, labels, served/stored versions. */
import type { StatusCause } from './status.ts';
import { apiVersionOf, clone } from './types.ts';
import type { KubeObject, ResourceType } from './types.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** The copy of an object as served at `version` (conversion strategy None: only apiVersion changes). */
export function toServed(obj: KubeObject, type: ResourceType, version: string): KubeObject {
  const out = clone(obj);
  return { ...out, apiVersion: apiVersionOf(type.group, version), kind: type.kind };
}

/** The copy of an object as stored (storage version). */
export function toStorage(obj: KubeObject, type: ResourceType): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(type.group, type.storageVersion), kind: type.kind };
}

function nameCause(type: ResourceType, name: string): StatusCause | undefined {
  const rule = type.nameRule;
  if (rule === 'dns1035Label') {
    if (name.length <= 63 && DNS1035_LABEL.test(name)) return undefined;
    return {
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(name)}: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    };
  }
  if (rule === 'dns1123Label') {
    if (name.length <= 63 && DNS1123_LABEL.test(name)) return undefined;
    return {
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    };
  }
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return undefined;
  return {
    reason: 'FieldValueInvalid',
    field: 'metadata.name',
    message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  };
}

function labelCauses(labels: unknown): StatusCause[] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    return [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'metadata.labels',
        message: 'Invalid value: must be a map of strings',
      },
    ];
  }
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    if (!QUALIFIED_NAME.test(k)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.labels`,
        message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  return causes;
}

/** Validates the metadata every object must satisfy. */
export function metadataCauses(type: ResourceType, obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name;
  if (name === undefined || name === '') {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else {
    const c = nameCause(type, name);
    if (c !== undefined) causes.push(c);
  }
  causes.push(...labelCauses(obj.metadata.labels));
  const finalizers = obj.metadata.finalizers;
  if (
    finalizers !== undefined &&
    (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string'))
  ) {
    causes.push({
      reason: 'FieldValueTypeInvalid',
      field: 'metadata.finalizers',
      message: 'Invalid value: must be a list of strings',
    });
  }
  return causes;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName: prefix + 5 random characters from kube's alphabet. */
export function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1)
    suffix += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)] ?? 'x';
  return `${prefix.slice(0, 58)}${suffix}`;
}
