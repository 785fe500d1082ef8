package io.strand.broker.server.coordinator;

import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;

/** Whole-request error responses of the offset APIs (one error for every partition). Stateless. */
final class OffsetResponses {
    private OffsetResponses() {
    }

    static OffsetCommitResponseData commitError(OffsetCommitRequestData request, short version, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic out = new OffsetCommitResponseData.OffsetCommitResponseTopic();
            if (version >= 10) {
                out.setTopicId(topic.topicId());
            } else {
                out.setName(topic.name());
            }
            topic.partitions().forEach(p -> out.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code())));
            response.topics().add(out);
        }
        return response;
    }
}
