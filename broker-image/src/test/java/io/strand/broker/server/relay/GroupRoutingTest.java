package io.strand.broker.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Multi-group requests split by coordinator, and DeleteRecords by leader, merged back in request order. */
class GroupRoutingTest {
    @Test
    void describeGroupsKeepsRequestOrderAndMarksUnansweredGroupsRetriable() {
        DescribeGroupsRequestData request = new DescribeGroupsRequestData().setGroups(List.of("a", "b", "c")).setIncludeAuthorizedOperations(true);
        DescribeGroupsRequestData subset = GroupRouting.DESCRIBE.subset(request, List.of("a", "c"));
        assertThat(subset.groups()).containsExactly("a", "c");
        assertThat(subset.includeAuthorizedOperations()).isTrue();
        assertThat(request.groups()).as("the original is untouched").containsExactly("a", "b", "c");

        DescribeGroupsResponseData fromOne = new DescribeGroupsResponseData();
        fromOne.groups().add(new DescribeGroupsResponseData.DescribedGroup().setGroupId("c").setGroupState("Stable"));
        fromOne.groups().add(new DescribeGroupsResponseData.DescribedGroup().setGroupId("a").setGroupState("Empty"));
        DescribeGroupsResponseData merged = GroupRouting.DESCRIBE.merge(request, List.of(fromOne));
        assertThat(merged.groups()).extracting(g -> g.groupId() + ":" + g.groupState() + ":" + Errors.forCode(g.errorCode()))
                .containsExactly("a:Empty:NONE", "b::COORDINATOR_NOT_AVAILABLE", "c:Stable:NONE");
    }

    @Test
    void deleteGroupsAndBatchedOffsetFetch() {
        DeleteGroupsRequestData delete = new DeleteGroupsRequestData().setGroupsNames(List.of("x", "y"));
        DeleteGroupsResponseData answer = new DeleteGroupsResponseData();
        answer.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId("y").setErrorCode(Errors.NON_EMPTY_GROUP.code()));
        assertThat(GroupRouting.DELETE.merge(delete, List.of(answer)).results())
                .extracting(r -> r.groupId() + ":" + Errors.forCode(r.errorCode())).containsExactly("x:COORDINATOR_NOT_AVAILABLE", "y:NON_EMPTY_GROUP");

        OffsetFetchRequestData fetch = new OffsetFetchRequestData();
        fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g1"));
        fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g2"));
        assertThat(GroupRouting.OFFSET_FETCH.groups(fetch)).containsExactly("g1", "g2");
        assertThat(GroupRouting.OFFSET_FETCH.subset(fetch, List.of("g2")).groups()).extracting(OffsetFetchRequestData.OffsetFetchRequestGroup::groupId)
                .containsExactly("g2");
        assertThat(GroupRouting.OFFSET_FETCH.groups(new OffsetFetchRequestData().setGroupId("old"))).as("v0-v7: one group").containsExactly("old");
        OffsetFetchResponseData g2 = new OffsetFetchResponseData();
        g2.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId("g2"));
        assertThat(GroupRouting.OFFSET_FETCH.merge(fetch, List.of(g2)).groups())
                .extracting(g -> g.groupId() + ":" + Errors.forCode(g.errorCode())).containsExactly("g1:COORDINATOR_NOT_AVAILABLE", "g2:NONE");
    }

    @Test
    void deleteRecordsIsSplitByLeader() {
        DeleteRecordsRequestData request = new DeleteRecordsRequestData().setTimeoutMs(500).setTopics(new ArrayList<>());
        DeleteRecordsRequestData.DeleteRecordsTopic topic = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("t");
        topic.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(5));
        topic.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(5));
        request.topics().add(topic);
        Map<Integer, DeleteRecordsRequestData> legs = new DeleteRecordsRouting().split(request, 1, (t, id, p) -> p == 0 ? 3 : 1);
        assertThat(legs.keySet()).containsExactly(1, 3);
        assertThat(legs.get(3).timeoutMs()).isEqualTo(500);

        DeleteRecordsResponseData fromThree = new DeleteRecordsResponseData();
        DeleteRecordsResponseData.DeleteRecordsTopicResult result = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName("t");
        result.partitions().add(new DeleteRecordsResponseData.DeleteRecordsPartitionResult().setPartitionIndex(0).setLowWatermark(5));
        fromThree.topics().add(result);
        DeleteRecordsResponseData merged = new DeleteRecordsRouting().merge(request, List.of(fromThree));
        assertThat(merged.topics().find("t").partitions()).extracting(p -> p.partitionIndex() + ":" + p.lowWatermark() + ":" + Errors.forCode(p.errorCode()))
                .containsExactly("1:-1:NOT_LEADER_OR_FOLLOWER", "0:5:NONE");
    }
}
