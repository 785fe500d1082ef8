/**
 * The custom resources the operator serves: {@link io.strand.operator.api.KafkaCluster} and
 * {@link io.strand.operator.api.Topic} in group {@value io.strand.operator.api.StrandApi#GROUP}. The CRDs in the
 * repository's {@code crds/} directory are generated from these classes; {@code CrdDriftTest} fails when they differ.
 * Validation lives on the fields (fabric8 generator annotations and CEL rules) so that the API server rejects a bad
 * resource before the operator sees it.
 */
package io.strand.operator.api;
