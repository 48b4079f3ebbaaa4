#include <gtest/gtest.h>
#include <simdjson.h>

#include "sources/sqs/envelope.h"
#include "support/test_support.h"

// The message bodies below are written for these tests after the shapes of REFERENCE.md §4; the
// AWS examples themselves are read in place from ../shared/testdata/events.

namespace gd2s {
namespace {

using Kind = Envelope::Kind;

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kS3Objects:
      return "kS3Objects";
    case Kind::kFinding:
      return "kFinding";
    case Kind::kTestEvent:
      return "kTestEvent";
    case Kind::kSkipped:
      return "kSkipped";
    case Kind::kUnknown:
      return "kUnknown";
  }
  return "?";
}

::testing::AssertionResult IsKind(const Envelope& e, Kind want) {
  if (e.kind == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "kind is " << kind_name(e.kind) << ", want " << kind_name(want) << " (via \"" << e.via
         << "\", detail \"" << e.detail << "\")";
}

const std::string kGuardDutyKeyEncoded =
    "AWSLogs/111122223333/GuardDuty/us-east-1/2026/03/04/a+b%2Bc%3D.jsonl.gz";
const std::string kGuardDutyKeyDecoded =
    "AWSLogs/111122223333/GuardDuty/us-east-1/2026/03/04/a b+c=.jsonl.gz";

// One record of an S3 event notification (§4.1).
std::string s3_record(const std::string& event_name, const std::string& key,
                      const std::string& bucket = "gd-export", const std::string& version = "2.1") {
  return R"({"eventVersion":")" + version +
         R"(","eventSource":"aws:s3","awsRegion":"us-east-1",)"
         R"("eventTime":"2026-03-04T05:06:07.000Z","eventName":")" +
         event_name +
         R"(","userIdentity":{"principalId":"AWS:AROAEXAMPLE:GuardDuty"},)"
         R"("s3":{"s3SchemaVersion":"1.0","configurationId":"gd2sentinel",)"
         R"("bucket":{"name":")" +
         bucket + R"(","arn":"arn:aws:s3:::)" + bucket + R"("},"object":{"key":")" + key +
         R"(","size":4321,"eTag":"0123456789abcdef0123456789abcdef",)"
         R"("sequencer":"0065E5F0A1B2C3D4E5"}}})";
}

std::string s3_notification(const std::vector<std::string>& records) {
  std::string body = R"({"Records":[)";
  for (size_t i = 0; i < records.size(); ++i) body += (i ? "," : "") + records[i];
  return body + "]}";
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// An SNS notification (§4.3) carrying `message` as its Message string.
std::string sns_wrapping(const std::string& message) {
  return R"({"Type":"Notification","MessageId":"dc1e94d9-56c5-5e96-808d-cc7f68faa162",)"
         R"("TopicArn":"arn:aws:sns:us-east-1:111122223333:gd-export",)"
         R"("Subject":"Amazon S3 Notification",)"
         R"("Message":)" +
         json_string(message) +
         R"(,"Timestamp":"2026-03-04T05:06:08.000Z","SignatureVersion":"1","Signature":"c2ln",)"
         R"("SigningCertURL":"https://sns.us-east-1.amazonaws.com/cert.pem",)"
         R"("UnsubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"})";
}

// An EventBridge event (§4.4, §4.5) with `detail`.
std::string eventbridge(const std::string& source, const std::string& detail_type,
                        const std::string& detail) {
  return R"({"version":"0","id":"cd2d702e-ab31-411b-9344-793ce56b1bc7","detail-type":")" +
         detail_type + R"(","source":")" + source +
         R"(","account":"111122223333","time":"2026-03-04T05:06:07Z","region":"us-east-1",)"
         R"("resources":[],"detail":)" +
         detail + "}";
}

const std::string kFindingDetail =
    R"({"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","partition":"aws",)"
    R"("id":"5ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5","type":"Recon:EC2/PortProbeUnprotectedPort",)"
    R"("title":"Unprotected port \"22\" on i-0abc is being probed \u00e9",)"
    R"("severity":2,"createdAt":"2026-03-04T05:00:00.000Z","updatedAt":"2026-03-04T05:06:00.000Z",)"
    R"("resource":{"resourceType":"Instance"},"service":{"count":12,"archived":false}})";

const std::string kObjectCreatedDetail =
    R"({"version":"0","bucket":{"name":"example-bucket"},)"
    R"("object":{"key":"IMG_m7fzo3.jpg","size":184662,"etag":"4e68adba0abe2dc8653dc3354e14c01d",)"
    R"("version-id":"vid","sequencer":"006408CAD69598B05E"},)"
    R"("request-id":"57H08PA84AB1JZW0","requester":"123456789012","reason":"PutObject"})";

// ---------------------------------------------------------------------------------------------
// decode_s3_event_key

TEST(SqsEnvelopeKey, DecodesPlusAsSpaceAndPercentEscapesAsBytes) {
  EXPECT_EQ(decode_s3_event_key(kGuardDutyKeyEncoded), kGuardDutyKeyDecoded);
  EXPECT_EQ(decode_s3_event_key("red+flower.jpg"), "red flower.jpg");
  EXPECT_EQ(decode_s3_event_key("test%2F10%3A47%3A07.log"), "test/10:47:07.log");
}

TEST(SqsEnvelopeKey, AcceptsHexDigitsOfEitherCase) {
  EXPECT_EQ(decode_s3_event_key("a%3db%3Dc%2f"), "a=b=c/");
}

TEST(SqsEnvelopeKey, DecodesMultiByteCharacters) {
  EXPECT_EQ(decode_s3_event_key("caf%C3%A9.jsonl.gz"), "caf\xC3\xA9.jsonl.gz");
}

TEST(SqsEnvelopeKey, KeepsMalformedEscapesAsTheyAre) {
  EXPECT_EQ(decode_s3_event_key("100%"), "100%");
  EXPECT_EQ(decode_s3_event_key("a%4"), "a%4");
  EXPECT_EQ(decode_s3_event_key("a%G1b"), "a%G1b");
  EXPECT_EQ(decode_s3_event_key("%%41"), "%A");
  EXPECT_EQ(decode_s3_event_key(""), "");
}

TEST(SqsEnvelopeKey, LeavesPlainKeysAlone) {
  EXPECT_EQ(decode_s3_event_key("AWSLogs/111122223333/GuardDuty/eu-west-1/2026/01/02/"
                                "07a3f2ce-1485-3031-b842-e1f324c4a48d.jsonl.gz"),
            "AWSLogs/111122223333/GuardDuty/eu-west-1/2026/01/02/"
            "07a3f2ce-1485-3031-b842-e1f324c4a48d.jsonl.gz");
}

// ---------------------------------------------------------------------------------------------
// The AWS examples, read in place

std::string shared_event(const std::string& name) {
  return test::read_file(test::shared_testdata() + "/events/" + name);
}

TEST(SqsEnvelopeSamples, TheAwsObjectCreatedPutExampleNamesItsObject) {
  GD2S_REQUIRE_SHARED_TESTDATA("the AWS example events");
  Envelope e = classify_message(shared_event("s3-objectcreated-put-event.json"));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  EXPECT_EQ(e.via, "s3");
  ASSERT_EQ(e.objects.size(), 1u);
  EXPECT_EQ(e.objects[0].bucket, "mybucket");
  EXPECT_EQ(e.objects[0].key, "HappyFace.jpg");
  EXPECT_EQ(e.objects[0].size, 1024u);
  EXPECT_EQ(e.objects[0].etag, "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(SqsEnvelopeSamples, TheAwsTestEventIsATestEvent) {
  GD2S_REQUIRE_SHARED_TESTDATA("the AWS example events");
  Envelope e = classify_message(shared_event("s3-test-event.json"));
  EXPECT_TRUE(IsKind(e, Kind::kTestEvent));
  EXPECT_TRUE(e.objects.empty());
}

TEST(SqsEnvelopeSamples, TheEventBridgeFindingGivesTheFindingJson) {
  GD2S_REQUIRE_SHARED_TESTDATA("the AWS example events");
  Envelope e = classify_message(shared_event("eventbridge-guardduty-finding.DERIVED.json"));
  ASSERT_TRUE(IsKind(e, Kind::kFinding));
  EXPECT_EQ(e.via, "eventbridge");
  simdjson::dom::parser parser;
  simdjson::dom::element finding;
  ASSERT_EQ(parser.parse(e.finding).get(finding), simdjson::SUCCESS) << e.finding;
  std::string_view id, type;
  ASSERT_EQ(finding["id"].get(id), simdjson::SUCCESS);
  EXPECT_EQ(id, "70b7e42a3241b4c73d8d8cf7b1781f7e");
  ASSERT_EQ(finding["type"].get(type), simdjson::SUCCESS);
  EXPECT_EQ(type, "UnauthorizedAccess:EC2/SSHBruteForce");
  EXPECT_EQ(finding["detail-type"].error(), simdjson::NO_SUCH_FIELD) << "the envelope leaked in";
}

// ---------------------------------------------------------------------------------------------
// S3 event notifications (§4.1) and the test event (§4.2)

TEST(SqsEnvelopeS3, DecodesTheObjectKey) {
  Envelope e =
      classify_message(s3_notification({s3_record("ObjectCreated:Put", kGuardDutyKeyEncoded)}));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  ASSERT_EQ(e.objects.size(), 1u);
  EXPECT_EQ(e.objects[0].bucket, "gd-export");
  EXPECT_EQ(e.objects[0].key, kGuardDutyKeyDecoded);
  EXPECT_EQ(e.objects[0].size, 4321u);
  EXPECT_EQ(e.objects[0].etag, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(e.via, "s3");
}

TEST(SqsEnvelopeS3, NamesEveryObjectOfAMessageInOrder) {
  Envelope e = classify_message(s3_notification({
      s3_record("ObjectCreated:Put", "AWSLogs/1/GuardDuty/us-east-1/2026/03/04/one.jsonl.gz"),
      s3_record("ObjectCreated:CompleteMultipartUpload",
                "AWSLogs/1/GuardDuty/us-east-1/2026/03/04/two.jsonl.gz", "other-bucket"),
      s3_record("ObjectCreated:Copy", "AWSLogs/1/GuardDuty/us-east-1/2026/03/04/three.jsonl.gz"),
  }));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  ASSERT_EQ(e.objects.size(), 3u);
  EXPECT_EQ(e.objects[0].key, "AWSLogs/1/GuardDuty/us-east-1/2026/03/04/one.jsonl.gz");
  EXPECT_EQ(e.objects[1].key, "AWSLogs/1/GuardDuty/us-east-1/2026/03/04/two.jsonl.gz");
  EXPECT_EQ(e.objects[1].bucket, "other-bucket");
  EXPECT_EQ(e.objects[2].key, "AWSLogs/1/GuardDuty/us-east-1/2026/03/04/three.jsonl.gz");
}

TEST(SqsEnvelopeS3, IgnoresRecordsOtherThanObjectCreated) {
  Envelope e = classify_message(s3_notification({
      s3_record("ObjectRemoved:Delete", "gone.jsonl.gz"),
      s3_record("ObjectCreated:Put", "new.jsonl.gz"),
      s3_record("ObjectRemoved:DeleteMarkerCreated", "gone-too.jsonl.gz"),
  }));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  ASSERT_EQ(e.objects.size(), 1u);
  EXPECT_EQ(e.objects[0].key, "new.jsonl.gz");
}

TEST(SqsEnvelopeS3, SkipsAMessageWithoutObjectCreatedRecordsAndNamesItsEvents) {
  Envelope e = classify_message(s3_notification({
      s3_record("ObjectRemoved:Delete", "a.jsonl.gz"),
      s3_record("ObjectRemoved:Delete", "b.jsonl.gz"),
      s3_record("LifecycleExpiration:Delete", "c.jsonl.gz"),
  }));
  ASSERT_TRUE(IsKind(e, Kind::kSkipped));
  EXPECT_EQ(e.via, "s3");
  EXPECT_TRUE(e.objects.empty());
  EXPECT_NE(e.detail.find("\"ObjectRemoved:Delete\", \"LifecycleExpiration:Delete\""),
            std::string::npos)
      << e.detail;
}

TEST(SqsEnvelopeS3, AcceptsEveryVersion2) {
  for (const char* version : {"2.0", "2.1", "2.2", "2.3", "2.5", "2.10", "2"}) {
    Envelope e = classify_message(
        s3_notification({s3_record("ObjectCreated:Put", "k.jsonl.gz", "b", version)}));
    EXPECT_TRUE(IsKind(e, Kind::kS3Objects)) << version;
  }
}

TEST(SqsEnvelopeS3, RefusesOtherMajorVersions) {
  for (const char* version : {"1.0", "3.0", "20.1", "", "two"}) {
    Envelope e = classify_message(
        s3_notification({s3_record("ObjectCreated:Put", "k.jsonl.gz", "b", version)}));
    ASSERT_TRUE(IsKind(e, Kind::kUnknown)) << version;
    EXPECT_NE(e.detail.find("Records[0].eventVersion is \"" + std::string(version) + "\""),
              std::string::npos)
        << e.detail;
  }
}

TEST(SqsEnvelopeS3, SizeAndEtagAreOptional) {
  Envelope e = classify_message(
      R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
      R"("s3":{"bucket":{"name":"b"},"object":{"key":"k.jsonl.gz"}}}]})");
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  EXPECT_FALSE(e.objects[0].size.has_value());
  EXPECT_EQ(e.objects[0].etag, "");
}

TEST(SqsEnvelopeS3, ARecordWithoutItsKeyIsUnknownAndSaysWhichRecord) {
  std::string second = s3_record("ObjectCreated:Put", "x");
  second.replace(second.find(R"("key":"x",)"), 10, "");
  Envelope e = classify_message(s3_notification({s3_record("ObjectCreated:Put", "ok"), second}));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("Records[1].s3.object.key is missing"), std::string::npos) << e.detail;
  EXPECT_TRUE(e.objects.empty());
}

TEST(SqsEnvelopeS3, ARecordWithoutItsBucketIsUnknown) {
  Envelope e = classify_message(
      R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
      R"("s3":{"object":{"key":"k"}}}]})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("Records[0].s3.bucket is missing"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeS3, AKeyOfTheWrongTypeIsUnknown) {
  Envelope e = classify_message(
      R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
      R"("s3":{"bucket":{"name":"b"},"object":{"key":42}}}]})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("Records[0].s3.object.key is a number, not a string"), std::string::npos)
      << e.detail;
}

TEST(SqsEnvelopeS3, AnEmptyKeyIsUnknown) {
  Envelope e = classify_message(s3_notification({s3_record("ObjectCreated:Put", "")}));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("empty object key"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeS3, RecordsFromAnotherServiceAreUnknown) {
  std::string record = s3_record("ObjectCreated:Put", "k");
  record.replace(record.find("aws:s3"), 6, "minio:s3");
  Envelope e = classify_message(s3_notification({record}));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find(R"(Records[0].eventSource is "minio:s3", not "aws:s3")"),
            std::string::npos)
      << e.detail;
}

TEST(SqsEnvelopeS3, RecordsThatAreNotAnArrayAreUnknown) {
  Envelope e = classify_message(R"({"Records":{"eventSource":"aws:s3"}})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("Records is an object, not an array"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeS3, AnEmptyRecordsArrayIsUnknown) {
  Envelope e = classify_message(R"({"Records":[]})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("Records array is empty"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeS3, TheTestEventIsATestEvent) {
  Envelope e = classify_message(
      R"({"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-03-04T05:06:07.000Z",)"
      R"("Bucket":"gd-export","RequestId":"5582815E1AEA5ADF","HostId":"x"})");
  ASSERT_TRUE(IsKind(e, Kind::kTestEvent));
  EXPECT_EQ(e.via, "s3");
}

// ---------------------------------------------------------------------------------------------
// SNS (§4.3)

TEST(SqsEnvelopeSns, UnwrapsAnS3Notification) {
  Envelope e = classify_message(
      sns_wrapping(s3_notification({s3_record("ObjectCreated:Put", kGuardDutyKeyEncoded)})));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  EXPECT_EQ(e.via, "sns+s3");
  ASSERT_EQ(e.objects.size(), 1u);
  EXPECT_EQ(e.objects[0].key, kGuardDutyKeyDecoded);
}

TEST(SqsEnvelopeSns, UnwrapsAnS3NotificationWrittenOnSeveralLines) {
  Envelope e = classify_message(sns_wrapping(
      "{\n  \"Records\": [\n    " + s3_record("ObjectCreated:Put", "k.jsonl.gz") + "\n  ]\n}\n"));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  EXPECT_EQ(e.objects[0].key, "k.jsonl.gz");
}

TEST(SqsEnvelopeSns, UnwrapsATestEvent) {
  Envelope e = classify_message(
      sns_wrapping(R"({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"gd-export"})"));
  ASSERT_TRUE(IsKind(e, Kind::kTestEvent));
  EXPECT_EQ(e.via, "sns+s3");
}

TEST(SqsEnvelopeSns, SkipsWhatItWouldSkipUnwrapped) {
  Envelope e = classify_message(
      sns_wrapping(s3_notification({s3_record("ObjectRemoved:Delete", "gone.jsonl.gz")})));
  ASSERT_TRUE(IsKind(e, Kind::kSkipped));
  EXPECT_EQ(e.via, "sns+s3");
  EXPECT_NE(e.detail.find("ObjectRemoved:Delete"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeSns, UnwrapsAnEventBridgeFinding) {
  Envelope e = classify_message(
      sns_wrapping(eventbridge("aws.guardduty", "GuardDuty Finding", kFindingDetail)));
  ASSERT_TRUE(IsKind(e, Kind::kFinding));
  EXPECT_EQ(e.via, "sns+eventbridge");
}

TEST(SqsEnvelopeSns, AMessageThatIsNotJsonIsUnknown) {
  Envelope e = classify_message(sns_wrapping("Hello from the SNS console"));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_EQ(e.via, "sns");
  EXPECT_NE(e.detail.find("SNS Message is not JSON"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("arn:aws:sns:us-east-1:111122223333:gd-export"), std::string::npos)
      << e.detail;
}

TEST(SqsEnvelopeSns, AMessageThatIsNotAStringIsUnknown) {
  Envelope e = classify_message(
      R"({"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":{"Records":[]}})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("Message is an object, not a string"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeSns, ASubscriptionConfirmationIsUnknownAndSaysWhatToDo) {
  Envelope e = classify_message(
      R"({"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"x",)"
      R"("SubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("SubscribeURL"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeSns, SnsInsideSnsIsUnknown) {
  Envelope e = classify_message(
      sns_wrapping(sns_wrapping(s3_notification({s3_record("ObjectCreated:Put", "k")}))));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("inside an SNS notification"), std::string::npos) << e.detail;
}

// ---------------------------------------------------------------------------------------------
// EventBridge (§4.4, §4.5)

TEST(SqsEnvelopeEventBridge, AGuardDutyFindingGivesItsDetailAsJson) {
  Envelope e = classify_message(eventbridge("aws.guardduty", "GuardDuty Finding", kFindingDetail));
  ASSERT_TRUE(IsKind(e, Kind::kFinding));
  EXPECT_EQ(e.via, "eventbridge");
  EXPECT_TRUE(e.objects.empty());
  simdjson::dom::parser parser;
  simdjson::dom::element finding;
  ASSERT_EQ(parser.parse(e.finding).get(finding), simdjson::SUCCESS) << e.finding;
  std::string_view id, title;
  int64_t count = 0;
  ASSERT_EQ(finding["id"].get(id), simdjson::SUCCESS);
  EXPECT_EQ(id, "5ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5");
  ASSERT_EQ(finding["title"].get(title), simdjson::SUCCESS);
  EXPECT_EQ(title, "Unprotected port \"22\" on i-0abc is being probed \xC3\xA9");
  ASSERT_EQ(finding["service"]["count"].get(count), simdjson::SUCCESS);
  EXPECT_EQ(count, 12);
  EXPECT_EQ(finding["source"].error(), simdjson::NO_SUCH_FIELD) << "the envelope leaked in";
}

TEST(SqsEnvelopeEventBridge, OtherGuardDutyEventsAreSkippedAndNamed) {
  Envelope e = classify_message(eventbridge(
      "aws.guardduty", "GuardDuty Runtime Protection Unhealthy", R"({"clusterName":"c"})"));
  ASSERT_TRUE(IsKind(e, Kind::kSkipped));
  EXPECT_EQ(e.via, "eventbridge");
  EXPECT_NE(e.detail.find("\"GuardDuty Runtime Protection Unhealthy\""), std::string::npos)
      << e.detail;
}

TEST(SqsEnvelopeEventBridge, AFindingWhoseDetailIsNotAnObjectIsUnknown) {
  Envelope e = classify_message(eventbridge("aws.guardduty", "GuardDuty Finding", R"("x")"));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("detail is a string, not an object"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeEventBridge, AFindingWithoutDetailIsUnknown) {
  Envelope e = classify_message(
      R"({"version":"0","source":"aws.guardduty","detail-type":"GuardDuty Finding"})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("without a detail"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeEventBridge, ObjectCreatedNamesTheObject) {
  Envelope e = classify_message(eventbridge("aws.s3", "Object Created", kObjectCreatedDetail));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  EXPECT_EQ(e.via, "eventbridge+s3");
  ASSERT_EQ(e.objects.size(), 1u);
  EXPECT_EQ(e.objects[0].bucket, "example-bucket");
  EXPECT_EQ(e.objects[0].key, "IMG_m7fzo3.jpg");
  EXPECT_EQ(e.objects[0].size, 184662u);
  EXPECT_EQ(e.objects[0].etag, "4e68adba0abe2dc8653dc3354e14c01d");
}

// Not documented by AWS either way (REFERENCE §4.4); see the reasoning in sqs_envelope.cpp.
TEST(SqsEnvelopeEventBridge, ObjectCreatedKeysAreUsedAsTheyArrive) {
  std::string detail = kObjectCreatedDetail;
  detail.replace(detail.find("IMG_m7fzo3.jpg"), 14, "raw/2023-08-08T14:03:40 a+b%2B.jsonl.gz");
  Envelope e = classify_message(eventbridge("aws.s3", "Object Created", detail));
  ASSERT_TRUE(IsKind(e, Kind::kS3Objects));
  EXPECT_EQ(e.objects[0].key, "raw/2023-08-08T14:03:40 a+b%2B.jsonl.gz");
}

TEST(SqsEnvelopeEventBridge, OtherS3EventsAreSkipped) {
  Envelope e = classify_message(eventbridge("aws.s3", "Object Deleted", kObjectCreatedDetail));
  ASSERT_TRUE(IsKind(e, Kind::kSkipped));
  EXPECT_EQ(e.via, "eventbridge+s3");
  EXPECT_NE(e.detail.find("\"Object Deleted\""), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeEventBridge, ObjectCreatedWithoutAKeyIsUnknown) {
  Envelope e = classify_message(
      eventbridge("aws.s3", "Object Created", R"({"bucket":{"name":"b"},"object":{"size":1}})"));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("detail.object.key is missing"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeEventBridge, EventsFromOtherSourcesAreUnknown) {
  Envelope e = classify_message(
      eventbridge("aws.ec2", "EC2 Instance State-change Notification", R"({"state":"running"})"));
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("\"aws.ec2\""), std::string::npos) << e.detail;
}

// ---------------------------------------------------------------------------------------------
// Bodies that are none of the above

TEST(SqsEnvelopeMalformed, ABodyThatIsNotJsonIsUnknown) {
  for (const char* body : {"not json", "", "{\"Records\":[", "{\"a\":1} trailing", "\xff\xfe{}"}) {
    Envelope e = classify_message(body);
    ASSERT_TRUE(IsKind(e, Kind::kUnknown)) << body;
    EXPECT_TRUE(e.detail.starts_with("the message body is not JSON: ")) << e.detail;
    EXPECT_GT(e.detail.size(), std::string("the message body is not JSON: ").size());
    EXPECT_EQ(e.via, "");
  }
}

TEST(SqsEnvelopeMalformed, AJsonArrayIsUnknown) {
  Envelope e = classify_message(R"([{"Records":[]}])");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_EQ(e.detail, "the message body is JSON but not an object (it is an array)");
}

TEST(SqsEnvelopeMalformed, AJsonScalarIsUnknown) {
  Envelope e = classify_message(R"("s3:TestEvent")");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_EQ(e.detail, "the message body is JSON but not an object (it is a string)");
}

TEST(SqsEnvelopeMalformed, AnEmptyObjectIsUnknownAndSaysWhatWasLookedFor) {
  Envelope e = classify_message("{}");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find("neither an S3 event notification (Records)"), std::string::npos)
      << e.detail;
  EXPECT_NE(e.detail.find("nor an EventBridge event (source, detail-type)"), std::string::npos)
      << e.detail;
  EXPECT_NE(e.detail.find("it is an empty object"), std::string::npos) << e.detail;
}

TEST(SqsEnvelopeMalformed, AnUnknownObjectNamesItsKeys) {
  Envelope e = classify_message(R"({"Message":"x","Subject":"y"})");
  ASSERT_TRUE(IsKind(e, Kind::kUnknown));
  EXPECT_NE(e.detail.find(R"(its top-level keys are "Message", "Subject")"), std::string::npos)
      << e.detail;
}

TEST(SqsEnvelopeMalformed, HugeBodiesDoNotCrash) {
  // Nesting far deeper than any parser limit.
  Envelope deep = classify_message(std::string(2 << 20, '['));
  EXPECT_TRUE(IsKind(deep, Kind::kUnknown));
  Envelope deep_object = classify_message(std::string(200000, '[') + std::string(200000, ']'));
  EXPECT_TRUE(IsKind(deep_object, Kind::kUnknown));

  // A 2 MiB key (SQS bodies stop at 1 MiB): classified, and every detail that quotes it stays
  // short.
  const std::string long_name(2 << 20, 'k');
  Envelope long_key =
      classify_message(s3_notification({s3_record("ObjectCreated:Put", long_name)}));
  ASSERT_TRUE(IsKind(long_key, Kind::kS3Objects));
  EXPECT_EQ(long_key.objects[0].key.size(), long_name.size());
  Envelope long_event = classify_message(s3_notification({s3_record(long_name, "k")}));
  ASSERT_TRUE(IsKind(long_event, Kind::kSkipped));
  EXPECT_LT(long_event.detail.size(), 400u);
  Envelope long_field = classify_message("{\"" + long_name + "\":1}");
  ASSERT_TRUE(IsKind(long_field, Kind::kUnknown));
  EXPECT_LT(long_field.detail.size(), 600u);

  // Many records in one message.
  std::vector<std::string> records(5000, s3_record("ObjectCreated:Put", "k.jsonl.gz"));
  Envelope many = classify_message(s3_notification(records));
  ASSERT_TRUE(IsKind(many, Kind::kS3Objects));
  EXPECT_EQ(many.objects.size(), records.size());
}

}  // namespace
}  // namespace gd2s
