#pragma once
// Every AWS operation gd2sentinel can call with the credentials it is given, and the IAM action
// that authorises each. The clients name their operations from here, the least-privilege policy
// (`gd2sentinel aws-policy`, content/aws/gd2sentinel.yaml) is checked against this list, and
// AccessDenied errors name the action from it, so the three cannot drift apart.

#include <span>
#include <string>
#include <string_view>

namespace gd2s::aws {

/// What a policy statement for the action must name as its resource.
enum class IamResource {
  kBucket,
  kExportObjects,
  kExportKey,
  kQueue,
  kDetector,      // a GuardDuty detector: arn:aws:guardduty:REGION:ACCOUNT:detector/ID
  kAllResources,  // the action takes no resource ARN (IAM requires "Resource": "*")
};

struct Operation {
  std::string_view service;     // "s3", "sqs", "kms", "guardduty"
  std::string_view api;         // the API operation, as the wire names it
  std::string_view iam_action;  // the action a policy grants for it
  IamResource resource;
  std::string_view purpose;
};

namespace ops {
inline constexpr Operation kListObjectsV2{"s3", "ListObjectsV2", "s3:ListBucket",
                                          IamResource::kBucket,
                                          "list the export under the prefix (s3_listing)"};
inline constexpr Operation kGetObject{"s3", "GetObject", "s3:GetObject",
                                      IamResource::kExportObjects, "read an export object"};
// Not called by gd2sentinel itself: S3 calls it on the reader's behalf for every GetObject of
// the SSE-KMS export, and refuses the read when the reader may not use the key.
inline constexpr Operation kDecryptExport{"kms", "Decrypt", "kms:Decrypt", IamResource::kExportKey,
                                          "S3 decrypts the SSE-KMS export for GetObject"};
inline constexpr Operation kReceiveMessage{"sqs", "ReceiveMessage", "sqs:ReceiveMessage",
                                           IamResource::kQueue, "long-poll the queue (sqs)"};
inline constexpr Operation kDeleteMessageBatch{"sqs", "DeleteMessageBatch", "sqs:DeleteMessage",
                                               IamResource::kQueue,
                                               "delete messages whose findings were delivered"};
inline constexpr Operation kChangeMessageVisibilityBatch{
    "sqs", "ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility", IamResource::kQueue,
    "keep messages in flight invisible while they are read"};
inline constexpr Operation kChangeMessageVisibility{
    "sqs", "ChangeMessageVisibility", "sqs:ChangeMessageVisibility", IamResource::kQueue,
    "hand a message back at once on stop"};
inline constexpr Operation kGetQueueAttributes{
    "sqs", "GetQueueAttributes", "sqs:GetQueueAttributes", IamResource::kQueue,
    "read the redrive policy and visibility timeout at start"};
// ListDetectors authorises on no resource; the findings calls on the detector
// (Service Authorization Reference, "Actions, resources, and condition keys for Amazon GuardDuty").
inline constexpr Operation kListDetectors{"guardduty", "ListDetectors", "guardduty:ListDetectors",
                                          IamResource::kAllResources,
                                          "find each Region's detector (guardduty_api)"};
inline constexpr Operation kListFindings{"guardduty", "ListFindings", "guardduty:ListFindings",
                                         IamResource::kDetector,
                                         "list findings updated since the checkpoint"};
inline constexpr Operation kGetFindings{"guardduty", "GetFindings", "guardduty:GetFindings",
                                        IamResource::kDetector, "read findings, 50 at a time"};
}  // namespace ops

/// All of the above, in a stable order.
std::span<const Operation> operations();

/// The least-privilege IAM policy document for those operations, as pretty JSON, with the
/// placeholders BUCKET, PREFIX (the export prefix, empty or ending in "/"), REGION,
/// ACCOUNT, QUEUE and KEY_ID for the user's names. ListDetectors' statement names "*": IAM
/// offers no resource for it.
std::string least_privilege_policy_json();

}  // namespace gd2s::aws
