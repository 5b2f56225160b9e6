import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cvssV2BaseScore } from './cvss-v2.js';
import { cvssV3BaseScore, roundUp } from './cvss-v3.js';
import { compareSeverity, severityOfCvssV2Score, severityOfScore } from './finding-severity.js';

// Base scores as published: the CVSS v3.1 "Examples" document (CVE, vector, score) and NVD.
const V3: readonly (readonly [string, number])[] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2014-6271 Shellshock
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3], // CVE-2022-25883 semver ReDoS
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 Heartbleed
  ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2], // CVE-2021-23337 lodash
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', 6.1], // CVE-2023-32681 requests
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // CVE-2013-1937 phpMyAdmin XSS
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4], // CVE-2013-0375 MySQL
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1], // CVE-2014-3566 POODLE
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9], // CVE-2012-1516 VMware
  ['CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2], // CVE-2009-0783 Tomcat
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8], // CVE-2012-0384 Cisco IOS
  ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8], // CVE-2015-1098 iWork
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8], // CVE-2008-1447 DNS cache poisoning
  ['CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8], // CVE-2014-2005 Sophos
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8], // CVE-2010-0467 Joomla
  ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H', 9.3], // CVE-2013-6014 Juniper
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', 5.4], // CVE-2014-9253 DotNetNuke
  ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8], // CVE-2011-1265 Bluetooth
  ['CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 4.6], // CVE-2014-2019 iOS
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4], // CVE-2014-0224 OpenSSL CCS
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6], // CVE-2012-5376 Chrome
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
  ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', 5.5],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0.0],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N', 0.0],
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
];

test('CVSS v3: base scores of known vectors, scope unchanged and changed', () => {
  for (const [vector, score] of V3) assert.equal(cvssV3BaseScore(vector), score, vector);
});

test('CVSS v3: metric order, temporal and environmental metrics do not change the base score', () => {
  assert.equal(cvssV3BaseScore('CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N'), 9.8);
  assert.equal(cvssV3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C'), 9.8);
  assert.equal(cvssV3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:L/MS:X'), 9.8);
  assert.equal(cvssV3BaseScore(' CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H '), 9.8);
});

test('CVSS v3: what is not a v3 vector has no score', () => {
  for (const vector of [
    '',
    'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H',
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/FOO:1',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/',
    'cvss:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h',
    'CVSS:3.1/AV:constructor/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/constructor:X',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/__proto__:X',
  ]) {
    assert.equal(cvssV3BaseScore(vector), undefined, vector);
  }
});

test('CVSS v3.1 Roundup: one decimal upwards, immune to float noise', () => {
  assert.equal(roundUp(4.02), 4.1);
  assert.equal(roundUp(4.0), 4.0);
  assert.equal(roundUp(4.000000000000001), 4.0);
  assert.equal(roundUp(4.00001), 4.1);
  assert.equal(roundUp(9.71), 9.8);
});

// CVSS v2: the v2 guide's examples and NVD scores.
const V2: readonly (readonly [string, number])[] = [
  ['AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8], // CVE-2002-0392
  ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0], // CVE-2003-0818
  ['AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2], // CVE-2003-0062
  ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
  ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3],
  ['AV:L/AC:L/Au:N/C:C/I:C/A:C', 7.2],
  ['AV:N/AC:L/Au:N/C:N/I:N/A:P', 5.0],
  ['AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3],
  ['AV:N/AC:L/Au:S/C:P/I:P/A:P', 6.5],
  ['AV:L/AC:L/Au:N/C:P/I:N/A:N', 2.1],
  ['AV:N/AC:M/Au:N/C:P/I:P/A:P', 6.8],
  ['AV:N/AC:L/Au:N/C:N/I:N/A:N', 0.0],
];

test('CVSS v2: base scores of known vectors, in the forms they are written', () => {
  for (const [vector, score] of V2) assert.equal(cvssV2BaseScore(vector), score, vector);
  assert.equal(cvssV2BaseScore('(AV:N/AC:L/Au:N/C:P/I:P/A:P)'), 7.5);
  assert.equal(cvssV2BaseScore('CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P'), 7.5);
  assert.equal(cvssV2BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C'), 7.5);
  for (const bad of ['', 'AV:N/AC:L/Au:N/C:P/I:P', 'AV:N/AC:L/Au:N/C:P/I:P/A:X', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:N/AC:L/Au:N/C:P/I:P/A:P/A:P', 'AV:toString/AC:L/Au:N/C:P/I:P/A:P', 'AV:N/AC:L/Au:N/C:P/I:P/A:P/constructor:ND']) {
    assert.equal(cvssV2BaseScore(bad), undefined, bad);
  }
});

test('ratings: NVD ranges for v3 scores, and v2 has no CRITICAL', () => {
  const cases: readonly (readonly [number, string])[] = [
    [10, 'CRITICAL'], [9.0, 'CRITICAL'], [8.9, 'HIGH'], [7.0, 'HIGH'], [6.9, 'MEDIUM'], [4.0, 'MEDIUM'],
    [3.9, 'LOW'], [0.1, 'LOW'], [0, 'INFORMATIONAL'], [-1, 'UNDEFINED'], [10.1, 'UNDEFINED'], [Number.NaN, 'UNDEFINED'],
  ];
  for (const [score, severity] of cases) assert.equal(severityOfScore(score), severity, String(score));
  assert.equal(severityOfCvssV2Score(10), 'HIGH');
  assert.equal(severityOfCvssV2Score(7.5), 'HIGH');
  assert.equal(severityOfCvssV2Score(4.3), 'MEDIUM');
  assert.equal(severityOfCvssV2Score(2.1), 'LOW');
  assert.ok(compareSeverity('CRITICAL', 'HIGH') > 0);
  assert.ok(compareSeverity('INFORMATIONAL', 'UNDEFINED') > 0);
  assert.equal(compareSeverity('LOW', 'LOW'), 0);
});
