import Foundation
import ModelZoo
import Testing

/// Vision architectures read from files are checked as they decode, so that a damaged file
/// cannot reach a constructor's preconditions or size an enormous network.
@Suite struct VisionConfigurationDecodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test("valid configurations round-trip through JSON")
    func roundTrip() throws {
        let resnet = ResNet.Configuration(inputChannels: 1, classCount: 10, stageWidths: [16, 32, 64], blocksPerStage: [3, 3, 3], stem: .cifar)
        #expect(try decode(ResNet.Configuration.self, String(decoding: JSONEncoder().encode(resnet), as: UTF8.self)) == resnet)
        let mobile = MobileNetV2.Configuration(widthMultiplier: 0.5, inputChannels: 1)
        #expect(try decode(MobileNetV2.Configuration.self, String(decoding: JSONEncoder().encode(mobile), as: UTF8.self)) == mobile)
        let vit = VisionTransformer.Configuration(imageSize: 28, patchSize: 7, inputChannels: 1, classCount: 10, width: 96, depth: 6, heads: 4)
        #expect(try decode(VisionTransformer.Configuration.self, String(decoding: JSONEncoder().encode(vit), as: UTF8.self)) == vit)
    }

    @Test("impossible or oversized fields are refused naming the field", arguments: [
        (#"{"inputChannels":1,"classCount":10,"stageWidths":[16,0],"blocksPerStage":[1,1],"stem":"cifar"}"#, "stageWidths"),
        (#"{"inputChannels":1,"classCount":10,"stageWidths":[16],"blocksPerStage":[1,1],"stem":"cifar"}"#, "blocksPerStage"),
        (#"{"inputChannels":1,"classCount":10,"stageWidths":[4096,4096],"blocksPerStage":[64,64],"stem":"cifar"}"#, "stageWidths"),
        (#"{"inputChannels":0,"classCount":10,"stageWidths":[16],"blocksPerStage":[1],"stem":"cifar"}"#, "inputChannels"),
    ])
    func resnet(json: String, field: String) {
        #expect { try decode(ResNet.Configuration.self, json) } throws: { error in
            "\(error)".contains(field)
        }
    }

    @Test("MobileNetV2 and ViT fields are checked")
    func others() {
        #expect(throws: DecodingError.self) {
            try decode(MobileNetV2.Configuration.self, #"{"widthMultiplier":0,"inputChannels":1,"classCount":10,"smallInputs":true,"dropoutProbability":0.2}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(MobileNetV2.Configuration.self, #"{"widthMultiplier":1,"inputChannels":1,"classCount":10,"smallInputs":true,"dropoutProbability":1}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(VisionTransformer.Configuration.self, #"{"imageSize":28,"patchSize":5,"inputChannels":1,"classCount":10,"width":96,"depth":6,"heads":4,"mlpRatio":4}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(VisionTransformer.Configuration.self, #"{"imageSize":28,"patchSize":7,"inputChannels":1,"classCount":10,"width":96,"depth":6,"heads":5,"mlpRatio":4}"#)
        }
    }
}
