import { useEffect, useState } from 'react';
import { Alert, Button, Card, Divider, Form, Input, Typography } from 'antd';
import { ApiFailure, getJson } from '../api';
import { startProviderSignIn } from '../provider-sign-in';
import { SignInFailure, storeToken, type SignInMethods } from '../session';

/**
 * Sign-in: through the street's identity provider (统一身份认证) when the API offers it, and by
 * pasting a bearer token (development: `npm run token`, or the link `npm run demo` prints).
 */
export function SignIn({
  failure,
  onSignedIn,
}: {
  failure: string | null;
  onSignedIn: () => void;
}) {
  const [token, setToken] = useState('');
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  const [providerDown, setProviderDown] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [startFailure, setStartFailure] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    getJson<SignInMethods>('/session/sign-in').then(
      (offered) => current && setMethods(offered),
      (error: unknown) =>
        current && setProviderDown(error instanceof ApiFailure ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, []);

  const provider = methods?.oidc ?? null;
  const signInWithProvider = () => {
    if (provider === null) return;
    setLeaving(true);
    setStartFailure(null);
    startProviderSignIn(provider).catch((error: unknown) => {
      setLeaving(false);
      setStartFailure(error instanceof SignInFailure ? error.message : String(error));
    });
  };
  const shown = startFailure ?? failure;

  return (
    <main className="console-signin">
      <Card title={<h1 style={{ fontSize: 20, margin: 0 }}>12345 督办台 · 登录</h1>}>
        {shown && <Alert type="error" showIcon title={shown} style={{ marginBottom: 16 }} />}
        {providerDown && (
          <Alert
            type="warning"
            showIcon
            title={`统一身份认证暂不可用，请稍后刷新重试（${providerDown}）`}
            style={{ marginBottom: 16 }}
          />
        )}
        {provider && (
          <>
            <Button
              type="primary"
              size="large"
              block
              loading={leaving}
              onClick={signInWithProvider}
            >
              统一身份认证登录
            </Button>
            <Divider plain>或粘贴访问令牌（开发、调试用）</Divider>
          </>
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
          <Button
            type={provider ? 'default' : 'primary'}
            htmlType="submit"
            disabled={token.trim() === ''}
            block
          >
            {provider ? '用令牌登录' : '登录'}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          令牌只保存在本标签页中，关闭即失效。
        </Typography.Paragraph>
      </Card>
    </main>
  );
}
