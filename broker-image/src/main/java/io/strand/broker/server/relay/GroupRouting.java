package io.strand.broker.server.relay;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Splitting a request that names several groups by coordinator, and merging the answers in request order. Relay
 * clients see one coordinator for every group, so admin clients batch groups that really live on different
 * brokers into one request. A group whose leg failed gets COORDINATOR_NOT_AVAILABLE (retriable). Pure.
 */
interface GroupRouting<Q extends ApiMessage, R extends ApiMessage> {
    List<String> groups(Q request);

    /** The request restricted to {@code groups} (a subset of its own, in its order). */
    Q subset(Q request, List<String> groups);

    R merge(Q request, List<R> answers);

    short UNAVAILABLE = Errors.COORDINATOR_NOT_AVAILABLE.code();

    GroupRouting<DescribeGroupsRequestData, DescribeGroupsResponseData> DESCRIBE = new GroupRouting<>() {
        public List<String> groups(DescribeGroupsRequestData r) {
            return r.groups();
        }

        public DescribeGroupsRequestData subset(DescribeGroupsRequestData r, List<String> groups) {
            return r.duplicate().setGroups(groups);
        }

        public DescribeGroupsResponseData merge(DescribeGroupsRequestData r, List<DescribeGroupsResponseData> answers) {
            Map<String, DescribeGroupsResponseData.DescribedGroup> byId = new HashMap<>();
            answers.forEach(a -> a.groups().forEach(g -> byId.put(g.groupId(), g)));
            DescribeGroupsResponseData merged = new DescribeGroupsResponseData();
            r.groups().forEach(id -> merged.groups().add(byId.getOrDefault(id, new DescribeGroupsResponseData.DescribedGroup().setGroupId(id)
                    .setErrorCode(UNAVAILABLE).setGroupState("").setProtocolType("").setProtocolData(""))));
            return merged;
        }
    };

    GroupRouting<DeleteGroupsRequestData, DeleteGroupsResponseData> DELETE = new GroupRouting<>() {
        public List<String> groups(DeleteGroupsRequestData r) {
            return r.groupsNames();
        }

        public DeleteGroupsRequestData subset(DeleteGroupsRequestData r, List<String> groups) {
            return r.duplicate().setGroupsNames(groups);
        }

        public DeleteGroupsResponseData merge(DeleteGroupsRequestData r, List<DeleteGroupsResponseData> answers) {
            Map<String, Short> byId = new HashMap<>();
            answers.forEach(a -> a.results().forEach(g -> byId.put(g.groupId(), g.errorCode())));
            DeleteGroupsResponseData merged = new DeleteGroupsResponseData();
            r.groupsNames().forEach(id -> merged.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id)
                    .setErrorCode(byId.getOrDefault(id, UNAVAILABLE))));
            return merged;
        }
    };

    GroupRouting<ConsumerGroupDescribeRequestData, ConsumerGroupDescribeResponseData> CONSUMER_DESCRIBE = new GroupRouting<>() {
        public List<String> groups(ConsumerGroupDescribeRequestData r) {
            return r.groupIds();
        }

        public ConsumerGroupDescribeRequestData subset(ConsumerGroupDescribeRequestData r, List<String> groups) {
            return r.duplicate().setGroupIds(groups);
        }

        public ConsumerGroupDescribeResponseData merge(ConsumerGroupDescribeRequestData r, List<ConsumerGroupDescribeResponseData> answers) {
            Map<String, ConsumerGroupDescribeResponseData.DescribedGroup> byId = new HashMap<>();
            answers.forEach(a -> a.groups().forEach(g -> byId.put(g.groupId(), g)));
            ConsumerGroupDescribeResponseData merged = new ConsumerGroupDescribeResponseData();
            r.groupIds().forEach(id -> merged.groups().add(byId.getOrDefault(id, new ConsumerGroupDescribeResponseData.DescribedGroup()
                    .setGroupId(id).setErrorCode(UNAVAILABLE).setGroupState("").setAssignorName(""))));
            return merged;
        }
    };

    /** OffsetFetch from v8 on, which batches groups; older versions name one group and are never split. */
    GroupRouting<OffsetFetchRequestData, OffsetFetchResponseData> OFFSET_FETCH = new GroupRouting<>() {
        public List<String> groups(OffsetFetchRequestData r) {
            return r.groups().isEmpty() ? List.of(r.groupId()) : r.groups().stream().map(OffsetFetchRequestData.OffsetFetchRequestGroup::groupId).toList();
        }

        public OffsetFetchRequestData subset(OffsetFetchRequestData r, List<String> groups) {
            OffsetFetchRequestData copy = r.duplicate();
            copy.groups().removeIf(g -> !groups.contains(g.groupId()));
            return copy;
        }

        public OffsetFetchResponseData merge(OffsetFetchRequestData r, List<OffsetFetchResponseData> answers) {
            Map<String, OffsetFetchResponseData.OffsetFetchResponseGroup> byId = new HashMap<>();
            answers.forEach(a -> a.groups().forEach(g -> byId.put(g.groupId(), g)));
            OffsetFetchResponseData merged = new OffsetFetchResponseData();
            groups(r).forEach(id -> merged.groups().add(byId.getOrDefault(id,
                    new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(id).setErrorCode(UNAVAILABLE))));
            return merged;
        }
    };
}
