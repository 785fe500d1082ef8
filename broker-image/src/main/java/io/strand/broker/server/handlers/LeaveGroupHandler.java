package io.strand.broker.server.handlers;

import io.strand.broker.server.BrokerContext;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** LeaveGroup: one member (v0-v2) or a batch of members by id or group.instance.id (v3+). */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequestData, LeaveGroupResponseData> {
    private final BrokerContext broker;

    public LeaveGroupHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletionStage<LeaveGroupResponseData> handle(RequestContext context, LeaveGroupRequestData request) {
        boolean batched = context.version() >= 3;
        LeaveGroupRequestData normalised = batched ? request : new LeaveGroupRequestData().setGroupId(request.groupId())
                .setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(request.memberId())));
        return broker.groups().leaveGroup(normalised).thenApply(response -> {
            response.setThrottleTimeMs(0);
            if (!batched) {
                // v0-v2 have one member and report its outcome as the top-level error.
                if (response.errorCode() == Errors.NONE.code() && !response.members().isEmpty()) {
                    response.setErrorCode(response.members().get(0).errorCode());
                }
                response.members().clear();
            }
            return response;
        });
    }
}
