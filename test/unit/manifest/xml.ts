// The manifest tests read XML with the workbench's strict XML 1.0 reader (workbench/xml.ts), which the
// simulated EWS endpoint shares; re-exported here so the tests keep one import path.
export { findAll, parseXml, type XmlElement } from '../../../workbench/xml.js';
