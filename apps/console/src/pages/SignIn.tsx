import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { storeToken } from '../session';

/**
 * Sign-in: paste a bearer token (development: `npm run token`, or the link `npm run demo`
 * prints); a token of the street's identity provider is pasted the same way.
 */
export function SignIn({
  failure,
  onSignedIn,
}: {
  failure: string | null;
  onSignedIn: () => void;
}) {
  const [token, setToken] = useState('');
  return (
    <main className="console-signin">
      <Card title={<h1 style={{ fontSize: 20, margin: 0 }}>12345 督办台 · 登录</h1>}>
        {failure && (
          <Alert
            type="error"
            showIcon
            title={`令牌无效：${failure}`}
            style={{ marginBottom: 16 }}
          />
        )}
        <Form
          layout="vertical"
          onFinish={() => {
            storeToken(token);
            onSignedIn();
          }}
        >
          <Form.Item label="访问令牌（Bearer token）" htmlFor="token" required>
            <Input.TextArea
              id="token"
              rows={4}
              value={token}
              onChange={(e) => setToken(e.target.value)}
              placeholder="粘贴令牌，例如 npm run token -- --role supervisor 的输出"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" disabled={token.trim() === ''} block>
            登录
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          令牌只保存在本标签页中，关闭即失效。
        </Typography.Paragraph>
      </Card>
    </main>
  );
}
